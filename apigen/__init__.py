"""APIGen: config-driven synthesis of verifiable, diverse function-calling datasets."""

import os

__version__ = "0.1.0"

# Offline by default: litellm must read its bundled cost map instead of fetching one at import,
# and the datasets library must never reach for the hub. Users can still override these.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
