"""The exit codes of ``apigen`` / ``python -m apigen``, in one place (README, "Exit codes").

- 0 COMPLETED: every requested sample was generated (or refused by the provider, which is
  recorded) and every candidate got a verdict.
- 1 ERROR: the run did not start or was stopped, with a one-line message: a configuration or
  input error, a run directory of another configuration, or a fatal model error (missing or bad
  key, unknown model or URL, an endpoint the preflight call cannot reach, too many calls failing
  in a row). Hydra's own errors (an unknown or malformed override) exit 1 as well.
- 2: Hydra's command-line parser refused an option (argparse).
- 3 INCOMPLETE: the run ended, but some generation calls or verifications failed after their
  retries; rerun into the same run directory to do just those.
"""

from __future__ import annotations

from collections.abc import Iterable

COMPLETED = 0
ERROR = 1
INCOMPLETE = 3

_BY_STATUS = {"completed": COMPLETED, "incomplete": INCOMPLETE}


def for_statuses(statuses: Iterable[str]) -> int:
    """The exit code of a process that made runs ending in ``statuses`` (several in a multirun):
    the worst of them."""
    return max((_BY_STATUS.get(status, ERROR) for status in statuses), default=COMPLETED)
