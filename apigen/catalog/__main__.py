"""``python -m apigen.catalog list|stats|check``: inspect and verify an API catalog."""

import sys

from apigen.catalog.cli import main

sys.exit(main())
