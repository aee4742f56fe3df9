"""Stage 2, the execution check: every call really runs, out of process, and must succeed. The
calls of one candidate run concurrently; the verdict names the first failing call, and every
call's result (or classified error) goes into the context for later stages (the judge) and into
the outcome."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from apigen.catalog import Catalog
from apigen.execution import ExecutionService
from apigen.execution.sandbox import failure
from apigen.records import Candidate, ExecutionResult, Verdict
from apigen.verify.chain import StageContext, StageEnv


class ExecutionStage:
    name = "execution"

    def __init__(self, catalog: Catalog, service: ExecutionService):
        self.catalog, self.service = catalog, service

    async def _run(self, name: str, arguments: dict[str, Any]) -> ExecutionResult:
        spec = self.catalog.get(name)
        if spec is None:  # only reachable when no format stage runs before this one
            result = failure("unknown_function", "UnknownFunction", f"'{name}' is not in the catalog")
        else:
            result = await self.service.run(spec.executor, arguments)
        return dataclasses.replace(result, name=name)

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        results = await asyncio.gather(*(self._run(c.name, c.arguments) for c in candidate.calls))
        context.executions = tuple(results)
        for i, result in enumerate(results):
            if not result.ok:
                detail = f"call {i} '{result.name}': {result.error_type}: {result.message}"
                return Verdict(candidate.candidate_id, self.name, False, result.code, detail)
        return Verdict(candidate.candidate_id, self.name, True)

    async def close(self) -> None:
        await self.service.close()


def build_stage(env: StageEnv) -> ExecutionStage:
    return ExecutionStage(env.catalog, env.execution)
