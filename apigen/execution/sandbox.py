"""Out-of-process execution of API calls: a pool of warm, contained worker processes.

Each worker is a supervisor process (``supervisor``) started in its own session with a scrubbed
environment (``BASE_ENV`` plus, per call, the API's own ``executor.options.env``); it forks the
process that runs the functions (``sandbox_worker``: memory limit, per-call CPU-time limit, output
caps, network guard) and contains everything that process starts: PID and network namespaces
where the OS allows, a process-count limit, no process left behind after a call. The pool sends
one JSON request line and reads one reply line per call. A call that outlives its wall-clock
timeout gets its worker stopped (SIGTERM: the supervisor kills all it contains; then SIGKILL to
the session as a backstop) and replaced; a supervisor that dies is noticed by its pid, not by its
pipe closing. APIs allowed the network run on workers of their own, outside any network namespace.
Arguments travel as JSON and are passed by keyword, never evaluated. Whatever a call does,
``execute`` returns an ``ExecutionResult``; it never raises (except on cancellation).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from apigen.execution.exits import exit_outcome
from apigen.execution.supervisor import EXIT_WORKER_GONE, LINE_LIMIT
from apigen.paths import package_parent
from apigen.records import ExecutionResult, ExecutorBinding

# The environment variables every worker gets from ours (and any LC_*); nothing else reaches the
# sandbox, so API keys and tokens stay out. An API names more in ``executor.options.env``.
BASE_ENV = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "LD_LIBRARY_PATH",
            "PYTHONPATH", "PYTHONHOME", "PYTHONHASHSEED", "PYTHONUTF8", "PYTHONIOENCODING")
_START_TIMEOUT_S = 60.0  # a cold interpreter on a loaded machine
_STOP_GRACE_S = 2.0  # for the supervisor to kill what it contains before the SIGKILL backstop
_LAST_WORDS_S = 0.5  # for an answer the supervisor wrote just before it ended


def failure(code: str, error_type: str, message: str, duration_s: float = 0.0) -> ExecutionResult:
    return ExecutionResult(False, code=code, error_type=error_type, message=message, duration_s=duration_s)


def classify_exit(returncode: int | None) -> ExecutionResult:
    """A worker that died mid-call: by a signal (crash, CPU hard limit, kill) or by exiting."""
    return failure(*exit_outcome(returncode))


def worker_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in BASE_ENV or k.startswith("LC_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package_parent()), env.get("PYTHONPATH")]))
    return env


def call_environment(binding: ExecutorBinding) -> dict[str, str]:
    """The API's own variables (``executor.options.env``) that are set here, for its calls only."""
    return {name: os.environ[name] for name in binding.options.get("env") or () if name in os.environ}


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    network: bool  # serves APIs allowed the network (no network namespace)
    exited: asyncio.Future  # resolves to the supervisor's exit status
    calls: int = field(default=0)


class SandboxPool:
    """Bounded pool of warm workers; ``execute`` is safe to call from many tasks at once. APIs
    allowed the network get a second set of ``workers``, started on first use."""

    def __init__(self, workers: int = 2, timeout_s: float = 10.0, memory_mb: int = 1024, max_result_chars: int = 4000,
                 cpu_time_s: float = 10.0, max_output_chars: int = 10000, max_processes: int = 32,
                 namespaces: bool = True):
        self.size, self.timeout_s = workers, timeout_s
        self.memory_mb, self.max_result_chars = memory_mb, max_result_chars
        self.cpu_time_s, self.max_output_chars = cpu_time_s, max_output_chars
        self.max_processes, self.namespaces = max_processes, namespaces
        self._idle: dict[bool, asyncio.Queue[_Worker | None]] = {}
        self._all: list[_Worker] = []
        self._stopping: set[asyncio.Future] = set()
        self.spawned = 0  # workers started so far (a respawn counts)
        self.containment: dict[bool, dict[str, str]] = {}  # what the workers reported, per network permission
        # On every supervisor's command line, which its forked processes keep: `ps` tells pools apart.
        self.pool_id = f"apigen-pool-{uuid.uuid4().hex[:12]}"

    @classmethod
    def from_config(cls, ecfg: Any) -> SandboxPool:
        """From ``verifier.execution`` (an ``ExecutionVerifierConfig``)."""
        return cls(ecfg.workers, ecfg.timeout_s, ecfg.memory_mb, ecfg.max_result_chars, ecfg.cpu_time_s,
                   ecfg.max_output_chars, ecfg.max_processes, ecfg.namespaces)

    def describe(self) -> dict[str, Any]:
        """The containment in effect, for the manifest (what the workers reported when they started)."""
        seen = self.containment.get(False, {})
        return {"network": seen.get("network", "not started"), "processes": seen.get("processes", "not started"),
                "max_processes": self.max_processes, "env_allowlist": [*BASE_ENV, "LC_*"]}

    def _lane(self, network: bool) -> asyncio.Queue[_Worker | None]:
        queue = self._idle.get(network)
        if queue is None:
            queue = self._idle[network] = asyncio.Queue()
            for _ in range(self.size):
                queue.put_nowait(None)  # workers are spawned lazily, on first use
        return queue

    async def start(self) -> None:
        self._lane(False)

    async def warm(self) -> None:
        """Start every worker for APIs without network permission now instead of on first use."""
        queue = self._lane(False)
        slots = [queue.get_nowait() for _ in range(queue.qsize())]
        slots = [w if w is not None else await self._spawn(False) for w in slots]
        for worker in slots:
            queue.put_nowait(worker)

    async def _spawn(self, network: bool) -> _Worker:
        settings = {"pool": self.pool_id, "memory_mb": self.memory_mb, "max_processes": self.max_processes,
                    "namespaces": self.namespaces, "network": network}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "apigen.execution.supervisor", json.dumps(settings),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            env=worker_environment(), limit=LINE_LIMIT, start_new_session=True,
        )
        worker = _Worker(process, network, asyncio.ensure_future(process.wait()))
        self._all.append(worker)
        self.spawned += 1
        assert process.stdout
        try:
            hello = json.loads(await asyncio.wait_for(process.stdout.readline(), _START_TIMEOUT_S) or b"{}")
        except (asyncio.TimeoutError, ValueError):
            hello = {}
        if not isinstance(hello, dict) or "hello" not in hello:
            await self._kill(worker)
            problem = hello.get("error") if isinstance(hello, dict) else None
            raise RuntimeError(f"the sandbox worker did not start: {problem or 'no answer'}")
        self.containment.setdefault(network, hello["hello"])
        return worker

    async def _kill(self, worker: _Worker) -> None:
        """Stop a worker and everything it contains, and wait for it."""
        if worker in self._all:
            self._all.remove(worker)
        if worker.process.returncode is None:
            try:
                worker.process.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(asyncio.shield(worker.exited), _STOP_GRACE_S)
            except asyncio.TimeoutError:
                pass
        _killpg(worker.process.pid)  # the session's leader may be gone; its members are not spared
        await worker.exited

    def _stop_soon(self, worker: _Worker) -> None:
        """``_kill`` in the background (from a cancelled call); ``close`` waits for it."""
        task = asyncio.ensure_future(self._kill(worker))
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    def request(self, binding: ExecutorBinding, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"target": binding.target, "function": binding.function, "arguments": arguments,
                "max_result_chars": self.max_result_chars, "max_output_chars": self.max_output_chars,
                "cpu_s": self.cpu_time_s, "network": bool(binding.options.get("network", False)),
                "env": call_environment(binding)}

    async def execute(self, binding: ExecutorBinding, arguments: dict[str, Any]) -> ExecutionResult:
        if binding.kind != "python":
            return failure("not_executable", "NotExecutable", f"executor kind '{binding.kind}' cannot be executed here")
        try:
            data = (json.dumps(self.request(binding, arguments), ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
        except (TypeError, ValueError) as exc:
            return failure("sandbox_error", type(exc).__name__, f"arguments are not JSON: {exc}")
        network = bool(binding.options.get("network", False))
        idle = self._lane(network)
        worker = await idle.get()
        started = time.perf_counter()
        try:
            for _ in range(2):  # a second time only when the worker had ended between calls
                if worker is None or worker.process.returncode is not None:
                    if worker is not None:
                        await self._kill(worker)
                        worker = None
                    worker = await self._spawn(network)
                outcome = await self._exchange(worker, data)
                if outcome is None or not outcome[1]:
                    await self._kill(worker)
                    worker = None
                if outcome is not None:
                    result = outcome[0]
                    break
            else:
                result = failure("sandbox_error", "WorkerGone", "the worker ended before the call, twice")
        except BaseException:  # cancelled mid-call: the worker may still answer later, never reuse it
            if worker is not None:
                self._stop_soon(worker)
            worker = None
            raise
        finally:
            idle.put_nowait(worker)
        return replace(result, duration_s=time.perf_counter() - started)

    async def _exchange(self, worker: _Worker, data: bytes) -> tuple[ExecutionResult, bool] | None:
        """One request, one reply: (result, whether the worker may be reused); None when the
        worker had ended before the call (the caller retries on a fresh one)."""
        process = worker.process
        assert process.stdin and process.stdout
        try:
            process.stdin.write(data)
            await process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # it has ended; its exit status says how, below
        reading = asyncio.ensure_future(process.stdout.readline())
        try:
            done, _ = await asyncio.wait({reading, worker.exited}, timeout=self.timeout_s,
                                         return_when=asyncio.FIRST_COMPLETED)
            if not done:
                return failure("timeout", "Timeout", f"no result within {self.timeout_s:g}s; the worker was killed"), False
            if reading not in done:  # the supervisor ended; an answer it wrote first is still in the pipe
                await asyncio.wait({reading}, timeout=_LAST_WORDS_S)
            line = reading.result() if reading.done() else b""
        except ValueError as exc:  # a reply line over LINE_LIMIT
            return failure("output_too_large", "OutputTooLarge", f"the worker's reply is too long: {exc}"), False
        finally:
            if not reading.done():
                reading.cancel()
        if not line:
            try:
                returncode = await asyncio.wait_for(asyncio.shield(worker.exited), _STOP_GRACE_S)
            except asyncio.TimeoutError:
                returncode = None
            return None if returncode == EXIT_WORKER_GONE else (classify_exit(returncode), False)
        try:
            reply = json.loads(line)
        except ValueError as exc:
            return failure("sandbox_error", "BadReply", f"the worker's reply is not JSON: {exc}"), False
        worker.calls += 1
        if reply.get("ok"):
            return ExecutionResult(True, result=reply.get("result"), stdout=reply.get("stdout", ""),
                                   stderr=reply.get("stderr", "")), True
        return ExecutionResult(False, code=reply.get("code", "runtime_error"), error_type=reply.get("error_type", ""),
                               message=reply.get("message", ""), stdout=reply.get("stdout", ""),
                               stderr=reply.get("stderr", "")), not reply.get("fatal")

    async def close(self) -> None:
        """Stop every worker and everything each contains."""
        await asyncio.gather(*(self._kill(w) for w in list(self._all)), *list(self._stopping))
        self._idle = {}
