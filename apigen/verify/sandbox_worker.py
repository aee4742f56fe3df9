"""A sandbox worker process: runs API functions on request, one JSON line in, one JSON line out.

Started by ``apigen.verify.sandbox``; never imported by the pipeline itself. It keeps imported
catalog modules warm, applies its resource limits once at start, and keeps the protocol channel
apart from whatever the called function prints.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import traceback
from pathlib import Path

from apigen.catalog.python_module import load_module

ERROR_CODES = {
    TypeError: "bad_argument_type",
    ValueError: "invalid_value",
    KeyError: "invalid_value",
    IndexError: "invalid_value",
    MemoryError: "memory_limit",
    RecursionError: "runtime_error",
}


class _CappedBuffer(io.StringIO):
    """Keeps at most ``cap`` characters of what the function prints."""

    def __init__(self, cap: int):
        super().__init__()
        self.cap, self.overflow = cap, False

    def write(self, text: str) -> int:
        room = self.cap - self.tell()
        if len(text) > room:
            self.overflow = True
            text = text[: max(room, 0)]
        return super().write(text)


def _classify(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return "exited"
    for kind, code in ERROR_CODES.items():
        if isinstance(exc, kind):
            return code
    return "runtime_error"


def _run(request: dict, modules: dict) -> dict:
    target, function = request["target"], request["function"]
    cap = int(request.get("max_result_chars", 4000))
    captured = _CappedBuffer(cap)
    try:
        if target not in modules:
            modules[target] = load_module(Path(target))
        fn = getattr(modules[target], function)
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            result = fn(**request["arguments"])
    except BaseException as exc:  # the function's failure is data, whatever it raised
        return {
            "ok": False,
            "code": _classify(exc),
            "error_type": type(exc).__name__,
            "message": str(exc)[:1000],
            "traceback": traceback.format_exc(limit=5)[-2000:],
            "stdout": captured.getvalue(),
        }
    try:
        encoded = json.dumps(result, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        encoded = json.dumps(repr(result), ensure_ascii=False)
    if len(encoded) > cap:
        return {"ok": False, "code": "output_too_large", "error_type": "OutputTooLarge",
                "message": f"result is {len(encoded)} characters, the cap is {cap}", "stdout": ""}
    return {"ok": True, "result": json.loads(encoded), "stdout": captured.getvalue()}


def main() -> None:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # The protocol gets its own copy of stdout; fd 1 then points at /dev/null so that C-level
    # writes by a called function cannot corrupt the reply stream.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb"), encoding="utf-8")
    modules: dict = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = _run(json.loads(line), modules)
        except Exception as exc:  # a malformed request must not kill the worker
            reply = {"ok": False, "code": "sandbox_error", "error_type": type(exc).__name__, "message": str(exc)}
        protocol.write(json.dumps(reply, ensure_ascii=False) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
