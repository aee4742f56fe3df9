"""A sandbox worker: runs API functions on request, one JSON line in, one JSON line out.

Forked by the sandbox supervisor (``apigen.execution.supervisor``), which contains it; never
imported by the pipeline itself. It keeps imported catalog modules warm and applies its limits: an
address-space limit (RLIMIT_AS) once at start, a CPU-time limit (ITIMER_PROF, backed by
RLIMIT_CPU) re-armed before every call, caps on the result and on what the function prints, the
API's extra environment variables for the duration of its call, and, unless the request allows
it, a guard that makes Python-level network use raise ``NetworkBlocked``. The protocol runs on
private copies of fds 0 and 1; the function sees an empty stdin and its prints are captured, so
nothing it does at Python level can corrupt a reply. These are resource limits for buggy code,
not a security boundary (see docs/VERIFICATION.md).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import resource
import signal
import socket
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apigen.execution.modules import load_module


class CpuLimitExceeded(Exception):
    """Raised in the worker when SIGXCPU says the call used up its CPU time."""


class NetworkBlocked(OSError):
    """Raised by the network guard: this API may not use the network."""


# Checked in order: the first class the exception is an instance of gives the code.
ERROR_CODES: tuple[tuple[type[BaseException], str], ...] = (
    (SystemExit, "exited"),
    (CpuLimitExceeded, "cpu_limit"),
    (NetworkBlocked, "network_blocked"),
    (MemoryError, "memory_limit"),
    (RecursionError, "recursion_limit"),
    (TypeError, "bad_argument_type"),
    (ValueError, "invalid_value"),
    (KeyError, "invalid_value"),
    (IndexError, "invalid_value"),
)

_NETWORK = {"allowed": True, "attempts": 0}
_INET = (socket.AF_INET, socket.AF_INET6)
_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr")


def _blocked(what: str) -> NetworkBlocked:
    _NETWORK["attempts"] += 1
    return NetworkBlocked(f"network access is not allowed for this API ({what})")


def _guarded_method(name: str, original: Any) -> Any:
    """connect/connect_ex are blocked for every family (a Unix socket reaches local daemons);
    bind/sendto/sendmsg for IP sockets only (a socketpair or a local listener is not network)."""
    families = None if name.startswith("connect") else _INET

    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _NETWORK["allowed"] and (families is None or self.family in families):
            raise _blocked(f"socket.{name}")
        return original(self, *args, **kwargs)

    return guarded


def _guarded_function(name: str, original: Any) -> Any:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not _NETWORK["allowed"]:
            raise _blocked(f"socket.{name}")
        return original(*args, **kwargs)

    return guarded


_SOCKET_METHODS = ("connect", "connect_ex", "bind", "sendto", "sendmsg")


def install_network_guard() -> None:
    """Python level only. The socket module's class and resolvers are patched, and so is
    ``_socket`` underneath, so that ``importlib.reload(socket)`` builds its new socket class on a
    guarded base. Native code, ctypes and subprocesses are not stopped by this guard; the network
    namespace (when the OS allows it) stops them. Loopback counts as network too."""
    import _socket

    for name in _SOCKET_METHODS:
        setattr(socket.socket, name, _guarded_method(name, getattr(socket.socket, name)))
    base = _socket.socket
    members: dict[str, Any] = {name: _guarded_method(name, getattr(base, name)) for name in _SOCKET_METHODS}
    # No slots of its own, so a reloaded socket.py can still declare __weakref__ on its subclass.
    _socket.socket = type("socket", (base,), {**members, "__slots__": (), "__module__": "_socket"})  # type: ignore[misc,assignment]
    for module in (socket, _socket):
        for name in _RESOLVERS:
            setattr(module, name, _guarded_function(name, getattr(module, name)))
    socket.create_connection = _guarded_function("create_connection", socket.create_connection)


class _CappedBuffer(io.StringIO):
    """Keeps at most ``cap`` characters of what the function prints; notes any overflow."""

    def __init__(self, cap: int):
        super().__init__()
        self.cap, self.overflow = cap, False

    def write(self, text: str) -> int:
        room = self.cap - self.tell()
        if len(text) > room:
            self.overflow = True
            text = text[: max(room, 0)]
        super().write(text)
        return len(text)


def _classify(exc: BaseException) -> str:
    for kind, code in ERROR_CODES:
        if isinstance(exc, kind):
            return code
    return "runtime_error"


def _on_cpu_timer(_signum: int, _frame: Any) -> None:
    raise CpuLimitExceeded("the call used up its CPU time")


def _arm_cpu_limit(cpu_s: float) -> None:
    """Two layers. ITIMER_PROF fires SIGPROF after ``cpu_s`` of CPU time of this call and the
    handler raises CpuLimitExceeded at the next Python bytecode (the worker survives). Native code
    that never returns to Python is caught by RLIMIT_CPU: its soft limit, set a second past the
    timer, sends SIGXCPU, whose default action ends the worker (the pool reports cpu_limit)."""
    if cpu_s <= 0:
        return
    signal.setitimer(signal.ITIMER_PROF, cpu_s)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(math.ceil(usage.ru_utime + usage.ru_stime + cpu_s)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.getrlimit(resource.RLIMIT_CPU)[1]))


def _disarm_cpu_limit() -> None:
    signal.setitimer(signal.ITIMER_PROF, 0)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


def _encode(result: Any, cap: int) -> tuple[str | None, str]:
    """(encoded JSON, error); a value with no JSON form is sent as its repr."""
    try:
        encoded = json.dumps(result, ensure_ascii=False, allow_nan=False)
    except MemoryError:
        return None, "the result is too large to encode"
    except (TypeError, ValueError, RecursionError):
        try:
            encoded = json.dumps(repr(result)[: cap + 1], ensure_ascii=False)
        except Exception as exc:  # a __repr__ that fails is the function's fault
            return None, f"the result cannot be encoded: {type(exc).__name__}"
    if len(encoded) > cap:
        return None, f"result is {len(encoded)} characters, the cap is {cap}"
    return encoded, ""


def _failure(code: str, error_type: str, message: str, out: _CappedBuffer, err: _CappedBuffer, tb: str = "") -> dict:
    return {"ok": False, "code": code, "error_type": error_type, "message": message[:1000],
            "traceback": tb[-2000:], "stdout": out.getvalue(), "stderr": err.getvalue()}


@contextlib.contextmanager
def _call_environment(extra: dict[str, str]) -> Iterator[None]:
    """The API's own environment variables (``executor.options.env``), for its call only."""
    before = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_request(request: dict, modules: dict) -> dict:
    target, function = request["target"], request["function"]
    cap = int(request.get("max_result_chars", 4000))
    out_cap = int(request.get("max_output_chars", 10000))
    out, err = _CappedBuffer(out_cap), _CappedBuffer(out_cap)
    _NETWORK["allowed"], _NETWORK["attempts"] = bool(request.get("network", False)), 0
    try:
        _arm_cpu_limit(float(request.get("cpu_s", 0)))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                _call_environment(dict(request.get("env") or {})):
            if target not in modules:
                modules[target] = load_module(Path(target))
            fn = getattr(modules[target], function)
            result = fn(**request["arguments"])
    except BaseException as exc:  # the function's failure is data, whatever it raised
        code = _classify(exc)
        if _NETWORK["attempts"] and code not in ("cpu_limit", "memory_limit"):
            code = "network_blocked"  # e.g. a ConnectionError wrapping the blocked connect
        return _failure(code, type(exc).__name__, str(exc), out, err, traceback.format_exc(limit=5))
    finally:
        _NETWORK["allowed"] = True
        _disarm_cpu_limit()
    if _NETWORK["attempts"]:  # the function swallowed the error: its result did not see the network
        return _failure("network_blocked", "NetworkBlocked",
                        f"{_NETWORK['attempts']} blocked network attempt(s) during the call", out, err)
    if out.overflow or err.overflow:
        return _failure("output_too_large", "OutputTooLarge", f"the call printed more than {out_cap} characters", out, err)
    encoded, problem = _encode(result, cap)
    if encoded is None:
        return _failure("output_too_large", "OutputTooLarge", problem, out, err)
    return {"ok": True, "result": json.loads(encoded), "stdout": out.getvalue(), "stderr": err.getvalue()}


def _private_channels() -> tuple[Any, Any]:
    """Move the protocol to private fds; fds 0/1 become /dev/null so that the function (or C code
    it calls) can neither read requests nor write into the reply stream."""
    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdin = io.StringIO("")
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb"), encoding="utf-8")
    return protocol_in, protocol_out


def _own_pid() -> int:
    """This process's pid as the pool's side sees it (outside a PID namespace, /proc is the
    host's, so /proc/self names the outer pid)."""
    try:
        return int(os.readlink("/proc/self"))
    except (OSError, ValueError):
        return os.getpid()


def _reap_children() -> None:
    """Collect children that ended (the supervisor kills what a call leaves running; they stay
    zombies until their parent, this process, reaps them)."""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def serve(memory_mb: int) -> None:
    """The worker's life, in the process the supervisor forked, with fds 0/1 its pipes to the
    supervisor: limits, guard, a ready line, then one reply per request until stdin closes."""
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGPROF, _on_cpu_timer)
    install_network_guard()
    protocol_in, protocol_out = _private_channels()
    protocol_out.write(json.dumps({"ready": _own_pid()}) + "\n")
    protocol_out.flush()
    modules: dict = {}
    for line in protocol_in:
        if not line.strip():
            continue
        _reap_children()
        try:
            reply = run_request(json.loads(line), modules)
            text = json.dumps(reply, ensure_ascii=False)
        except Exception as exc:  # a malformed request must not kill the worker
            text = json.dumps({"ok": False, "code": "sandbox_error", "error_type": type(exc).__name__, "message": str(exc)[:1000]})
        protocol_out.write(text + "\n")
        protocol_out.flush()
