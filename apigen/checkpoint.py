"""``run_state.json``: the run state as a run left it, so that a rerun need not read every line back.

Reading a finished 20,000-sample run's stage files back (40,000 records) takes seconds; the state
they give is ids and counters. When a run closes its store with no sample half done, the state is
written here together with the size and modification time of each stage file, and what the last
export of ``dataset/`` was made from. A rerun takes the state from here when both files are exactly
as recorded (they are append-only, so any new record changes them), and reads the files otherwise
(a killed run, a file changed by hand, a missing or damaged checkpoint). The checkpoint holds no
example: the dedup stage re-learns kept queries only when there is work to do (RunStore.kept_examples).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apigen.records import Usage

if TYPE_CHECKING:
    from apigen.store import RunState

CHECKPOINT = "run_state.json"
_VERSION = 2  # 2: with the listed benchmark overlaps


def _stamp(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def save(run_dir: Path, files: list[str], state: RunState, export: dict[str, Any] | None) -> None:
    """Write the checkpoint of ``state`` for the stage ``files`` as they are now (closed)."""
    from apigen.store import write_json_atomic  # store imports this module

    data = {
        "version": _VERSION,
        "files": {name: _stamp(run_dir / name) for name in files},
        "export": export,
        "finished": sorted(state.finished),
        "generated": state.generated, "kept": state.kept, "request_errors": state.request_errors,
        "pending_checks": {cid: [c.index, c.attempt, c.sample_offset, c.stage, c.reason] for cid, c in state.pending_checks.items()},
        "rejected": [[stage, reason, count] for (stage, reason), count in state.rejected.items()],
        "usage": {role: usage.to_dict() for role, usage in state.usage.items()},
        "kept_rows": state.kept_rows,
        "overlaps": state.overlaps,
    }
    write_json_atomic(run_dir / CHECKPOINT, data, indent=None)


def restore(run_dir: Path, files: list[str]) -> tuple[RunState, dict[str, Any] | None] | None:
    """(the state, the last export's fingerprint) when the checkpoint matches the stage files as
    they are; None when it is missing, damaged or out of date (read the files then)."""
    from apigen.store import PendingCheck, RunState

    try:
        data = json.loads((run_dir / CHECKPOINT).read_text(encoding="utf-8"))
        if data.get("version") != _VERSION or data["files"] != {name: _stamp(run_dir / name) for name in files}:
            return None
        state = RunState(
            finished=set(data["finished"]), generated=data["generated"], kept=data["kept"], request_errors=data["request_errors"],
            pending_checks={cid: PendingCheck(*check) for cid, check in data["pending_checks"].items()},
            rejected=Counter({(stage, reason): count for stage, reason, count in data["rejected"]}),
            usage={role: Usage.from_dict(usage) for role, usage in data["usage"].items()},
            kept_rows=[(index, position, offset) for index, position, offset in data["kept_rows"]],
            overlaps=list(data["overlaps"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # missing or damaged: read the files
        return None
    return state, data.get("export")

