"""Out-of-process execution of API calls: a pool of warm worker processes.

Each worker is a separate Python interpreter (``sandbox_worker``) in its own session, with a
memory limit, a per-call CPU-time limit, output caps and a network guard. A call that outlives
its wall-clock timeout gets its worker's whole process group killed and the worker replaced; a
worker that dies mid-call is classified by how it died (signal or exit status) and replaced on
the next call. Arguments travel as JSON and are passed by keyword, never evaluated. Whatever a
call does, ``execute`` returns an ``ExecutionResult``; it never raises (except on cancellation).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Any

from apigen.paths import package_parent
from apigen.records import ExecutionResult, ExecutorBinding

# One reply line holds a capped result, capped output and a capped traceback; anything longer
# than this is a broken worker.
_STREAM_LIMIT = 16 * 1024 * 1024


def failure(code: str, error_type: str, message: str, duration_s: float = 0.0) -> ExecutionResult:
    return ExecutionResult(False, code=code, error_type=error_type, message=message, duration_s=duration_s)


def classify_exit(returncode: int | None) -> ExecutionResult:
    """A worker that died mid-call: by a signal (crash, CPU hard limit, kill) or by exiting."""
    if returncode is not None and returncode < 0:
        signum = -returncode
        name = signal.Signals(signum).name if signum in signal.Signals._value2member_map_ else f"signal {signum}"
        if signum == signal.SIGXCPU:
            return failure("cpu_limit", "WorkerDied", f"the worker was stopped by {name} (CPU time limit)")
        return failure("crashed", "WorkerDied", f"the worker process died by {name}")
    return failure("exited", "WorkerExited", f"the function ended the worker process (exit status {returncode})")


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    calls: int = field(default=0)


class SandboxPool:
    """Bounded pool of warm workers; ``execute`` is safe to call from many tasks at once."""

    def __init__(self, workers: int = 2, timeout_s: float = 10.0, memory_mb: int = 1024, max_result_chars: int = 4000,
                 cpu_time_s: float = 10.0, max_output_chars: int = 10000):
        self.size, self.timeout_s = workers, timeout_s
        self.memory_mb, self.max_result_chars = memory_mb, max_result_chars
        self.cpu_time_s, self.max_output_chars = cpu_time_s, max_output_chars
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._all: list[_Worker] = []
        self.spawned = 0  # workers started so far (a respawn counts)

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(None)  # workers are spawned lazily, on first use

    async def warm(self) -> None:
        """Start every worker now instead of on first use."""
        if self._idle is None:
            await self.start()
        assert self._idle is not None
        slots = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
        slots = [w if w is not None else await self._spawn() for w in slots]
        for worker in slots:
            self._idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package_parent()), env.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "apigen.execution.sandbox_worker", str(self.memory_mb),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            env=env, limit=_STREAM_LIMIT, start_new_session=True,
        )
        worker = _Worker(process)
        self._all.append(worker)
        self.spawned += 1
        return worker

    def _signal_kill(self, worker: _Worker) -> None:
        """SIGKILL the worker's whole process group (children it forked included)."""
        if worker in self._all:
            self._all.remove(worker)
        if worker.process.returncode is None:
            try:
                os.killpg(worker.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                worker.process.kill()

    async def _kill(self, worker: _Worker) -> None:
        self._signal_kill(worker)
        await worker.process.wait()

    def request(self, binding: ExecutorBinding, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"target": binding.target, "function": binding.function, "arguments": arguments,
                "max_result_chars": self.max_result_chars, "max_output_chars": self.max_output_chars,
                "cpu_s": self.cpu_time_s, "network": bool(binding.options.get("network", False))}

    async def execute(self, binding: ExecutorBinding, arguments: dict[str, Any]) -> ExecutionResult:
        if binding.kind != "python":
            return failure("not_executable", "NotExecutable", f"executor kind '{binding.kind}' cannot be executed here")
        if self._idle is None:
            await self.start()
        assert self._idle is not None
        idle = self._idle
        worker = await idle.get()
        started = time.perf_counter()
        try:
            result, worker = await self._call(worker, self.request(binding, arguments))
        except BaseException:  # cancelled mid-call: the worker may still answer later, never reuse it
            if worker is not None:
                self._signal_kill(worker)
            worker = None
            raise
        finally:
            idle.put_nowait(worker)
        return replace(result, duration_s=time.perf_counter() - started)

    async def _call(self, worker: _Worker | None, request: dict[str, Any]) -> tuple[ExecutionResult, _Worker | None]:
        """One request on one worker: (result, the worker if it may be reused, else None)."""
        try:
            data = (json.dumps(request, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
        except (TypeError, ValueError) as exc:
            return failure("sandbox_error", type(exc).__name__, f"arguments are not JSON: {exc}"), worker
        if worker is None or worker.process.returncode is not None:
            if worker is not None:
                await self._kill(worker)
            worker = await self._spawn()
        process = worker.process
        assert process.stdin and process.stdout
        try:
            process.stdin.write(data)
            await process.stdin.drain()
            line = await asyncio.wait_for(process.stdout.readline(), self.timeout_s)
        except asyncio.TimeoutError:
            await self._kill(worker)
            return failure("timeout", "Timeout", f"no result within {self.timeout_s:g}s; the worker was killed"), None
        except (BrokenPipeError, ConnectionResetError):
            line = b""  # died before reading the request; classified below
        except ValueError as exc:  # a reply line over _STREAM_LIMIT
            await self._kill(worker)
            return failure("output_too_large", "OutputTooLarge", f"the worker's reply is too long: {exc}"), None
        if not line:
            try:
                returncode = await asyncio.wait_for(process.wait(), self.timeout_s)
            except asyncio.TimeoutError:
                returncode = None
            await self._kill(worker)
            return classify_exit(returncode), None
        try:
            reply = json.loads(line)
        except ValueError as exc:
            await self._kill(worker)
            return failure("sandbox_error", "BadReply", f"the worker's reply is not JSON: {exc}"), None
        worker.calls += 1
        if reply.get("ok"):
            return ExecutionResult(True, result=reply.get("result"), stdout=reply.get("stdout", ""),
                                   stderr=reply.get("stderr", "")), worker
        return ExecutionResult(False, code=reply.get("code", "runtime_error"), error_type=reply.get("error_type", ""),
                               message=reply.get("message", ""), stdout=reply.get("stdout", ""),
                               stderr=reply.get("stderr", "")), worker

    async def close(self) -> None:
        for worker in list(self._all):
            if worker.process.stdin and not worker.process.stdin.is_closing():
                worker.process.stdin.close()
            await self._kill(worker)
        self._idle = None

