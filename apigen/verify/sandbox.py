"""Out-of-process execution of API calls: a pool of warm worker processes.

Each worker is a separate Python interpreter (``sandbox_worker``) with a memory limit. A call
that outlives its timeout gets its worker killed and replaced; a worker that dies mid-call is a
``crashed`` result. Arguments travel as JSON and are passed by keyword, never evaluated.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from apigen.paths import PROJECT_ROOT
from apigen.records import ExecutorBinding

# Replies can carry a result near max_result_chars plus a traceback; allow generous lines.
_STREAM_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class ExecutionResult:
    ok: bool
    result: Any = None
    code: str = "ok"
    error_type: str = ""
    message: str = ""
    stdout: str = ""
    duration_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = {"ok": self.ok, "code": self.code, "duration_s": round(self.duration_s, 4)}
        if self.ok:
            data["result"] = self.result
        else:
            data.update(error_type=self.error_type, message=self.message)
        if self.stdout:
            data["stdout"] = self.stdout
        return data


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    calls: int = field(default=0)


class SandboxPool:
    """Bounded pool of warm workers; ``execute`` is safe to call from many tasks at once."""

    def __init__(self, workers: int = 2, timeout_s: float = 10.0, memory_mb: int = 1024, max_result_chars: int = 4000):
        self.size, self.timeout_s = workers, timeout_s
        self.memory_mb, self.max_result_chars = memory_mb, max_result_chars
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._all: list[_Worker] = []

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(None)  # workers are spawned lazily, on first use

    async def _spawn(self) -> _Worker:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "apigen.verify.sandbox_worker", str(self.memory_mb),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            env=env, limit=_STREAM_LIMIT, start_new_session=True,
        )
        worker = _Worker(process)
        self._all.append(worker)
        return worker

    async def _kill(self, worker: _Worker) -> None:
        if worker in self._all:
            self._all.remove(worker)
        if worker.process.returncode is None:
            worker.process.kill()
        await worker.process.wait()

    async def execute(self, binding: ExecutorBinding, arguments: dict[str, Any]) -> ExecutionResult:
        if binding.kind != "python":
            return ExecutionResult(False, code="not_executable", error_type="NotExecutable",
                                   message=f"executor kind '{binding.kind}' cannot be executed")
        if self._idle is None:
            await self.start()
        assert self._idle is not None
        worker = await self._idle.get()
        started = time.perf_counter()
        try:
            if worker is None or worker.process.returncode is not None:
                worker = await self._spawn()
            request = {"target": binding.target, "function": binding.function,
                       "arguments": arguments, "max_result_chars": self.max_result_chars}
            assert worker.process.stdin and worker.process.stdout
            worker.process.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            await worker.process.stdin.drain()
            line = await asyncio.wait_for(worker.process.stdout.readline(), self.timeout_s)
            elapsed = time.perf_counter() - started
            if not line:
                code = await worker.process.wait()
                await self._kill(worker)
                worker = None
                return ExecutionResult(False, code="crashed", error_type="WorkerDied",
                                       message=f"the worker process died (exit status {code})", duration_s=elapsed)
            reply = json.loads(line)
            worker.calls += 1
            if reply.get("ok"):
                return ExecutionResult(True, result=reply.get("result"), stdout=reply.get("stdout", ""), duration_s=elapsed)
            return ExecutionResult(False, code=reply.get("code", "runtime_error"), error_type=reply.get("error_type", ""),
                                   message=reply.get("message", ""), stdout=reply.get("stdout", ""), duration_s=elapsed)
        except asyncio.TimeoutError:
            if worker is not None:
                await self._kill(worker)
            worker = None
            return ExecutionResult(False, code="timeout", error_type="Timeout",
                                   message=f"no result within {self.timeout_s:g}s", duration_s=time.perf_counter() - started)
        except (BrokenPipeError, ConnectionResetError) as exc:
            if worker is not None:
                await self._kill(worker)
            worker = None
            return ExecutionResult(False, code="crashed", error_type=type(exc).__name__, message=str(exc),
                                   duration_s=time.perf_counter() - started)
        finally:
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        for worker in list(self._all):
            if worker.process.stdin and not worker.process.stdin.is_closing():
                worker.process.stdin.close()
            await self._kill(worker)
        self._idle = None
