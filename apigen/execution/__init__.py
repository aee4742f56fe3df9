"""The execution service: runs one API call by its executor binding, out of process.

It sits below both users of it, the catalog check (``python -m apigen.catalog check``) and the
execution stage of the verifier: Python functions run in the sandbox's warm worker processes,
HTTP operations through the allow-listed HTTP executor. Whatever a call does, ``run`` returns an
``ExecutionResult``; it never raises (except on cancellation).
"""

from __future__ import annotations

from typing import Any

from apigen.execution.http import HttpExecutor
from apigen.execution.sandbox import SandboxPool, failure
from apigen.records import ExecutionResult, ExecutorBinding

EXECUTABLE_KINDS = ("python", "http")


class ExecutionService:
    def __init__(self, pool: SandboxPool, http: HttpExecutor | None = None):
        self.pool = pool
        self.http = http or HttpExecutor(timeout_s=pool.timeout_s, max_result_chars=pool.max_result_chars)

    async def run(self, binding: ExecutorBinding, arguments: dict[str, Any]) -> ExecutionResult:
        try:
            if binding.kind == "python":
                return await self.pool.execute(binding, arguments)
            if binding.kind == "http":
                return await self.http.execute(binding, arguments)
        except Exception as exc:  # an executor bug rejects the call; it must not end the run
            return failure("sandbox_error", type(exc).__name__, str(exc)[:1000])
        return failure("not_executable", "NotExecutable", f"executor kind '{binding.kind}' cannot be executed")

    async def close(self) -> None:
        await self.pool.close()


__all__ = ["EXECUTABLE_KINDS", "ExecutionResult", "ExecutionService", "HttpExecutor", "SandboxPool"]
