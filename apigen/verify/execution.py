"""Stage 2, the execution check: every call really runs, out of process, and must succeed. The
calls of one candidate run concurrently; the verdict names the first failing call and keeps every
call's result (or classified error) in ``data["results"]`` for the judge and the report."""

from __future__ import annotations

import asyncio
from typing import Any

from apigen.catalog import Catalog
from apigen.records import Candidate, ExecutorBinding, Verdict
from apigen.verify.http_executor import HttpExecutor
from apigen.verify.sandbox import ExecutionResult, SandboxPool


async def execute_binding(binding: ExecutorBinding, arguments: dict[str, Any], pool: SandboxPool,
                          http: HttpExecutor) -> ExecutionResult:
    """Run one call by executor kind: python -> sandbox pool, http -> HTTP executor, else not executable."""
    if binding.kind == "python":
        return await pool.execute(binding, arguments)
    if binding.kind == "http":
        return await http.execute(binding, arguments)
    return ExecutionResult(False, code="not_executable", error_type="NotExecutable",
                           message=f"executor kind '{binding.kind}' cannot be executed")


class ExecutionChecker:
    def __init__(self, catalog: Catalog, pool: SandboxPool, http: HttpExecutor | None = None):
        self.catalog, self.pool = catalog, pool
        self.http = http or HttpExecutor(timeout_s=pool.timeout_s, max_result_chars=pool.max_result_chars)

    async def _run(self, name: str, arguments: dict) -> ExecutionResult:
        spec = self.catalog.get(name)
        if spec is None:  # only reachable with the format check switched off
            return ExecutionResult(False, code="unknown_function", error_type="UnknownFunction",
                                   message=f"'{name}' is not in the catalog")
        return await execute_binding(spec.executor, arguments, self.pool, self.http)

    async def _guarded(self, name: str, arguments: dict) -> ExecutionResult:
        try:
            return await self._run(name, arguments)
        except Exception as exc:  # an executor bug rejects the call; it must not end the run
            return ExecutionResult(False, code="sandbox_error", error_type=type(exc).__name__, message=str(exc)[:1000])

    async def check(self, candidate: Candidate) -> Verdict:
        results = await asyncio.gather(*(self._guarded(c.name, c.arguments) for c in candidate.calls))
        records = [{"name": c.name, **r.to_dict()} for c, r in zip(candidate.calls, results)]
        for i, (call, result) in enumerate(zip(candidate.calls, results)):
            if not result.ok:
                detail = f"call {i} '{call.name}': {result.error_type}: {result.message}"
                return Verdict(candidate.candidate_id, "execution", False, result.code, detail, {"results": records})
        return Verdict(candidate.candidate_id, "execution", True, data={"results": records})
