"""How a sandbox process that died mid-call is classified, from its exit status alone: used by the
supervisor for the worker and by the pool for a supervisor that died."""

from __future__ import annotations

import signal


def exit_outcome(returncode: int | None) -> tuple[str, str, str]:
    """(code, error type, message) for a process that ended: by a signal (crash, CPU hard limit,
    kill), ``returncode`` negative as in ``subprocess``, or by exiting."""
    if returncode is not None and returncode < 0:
        signum = -returncode
        name = signal.Signals(signum).name if signum in signal.Signals._value2member_map_ else f"signal {signum}"
        if signum == signal.SIGXCPU:
            return "cpu_limit", "WorkerDied", f"the worker was stopped by {name} (CPU time limit)"
        return "crashed", "WorkerDied", f"the worker process died by {name}"
    return "exited", "WorkerExited", f"the function ended the worker process (exit status {returncode})"
