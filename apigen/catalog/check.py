"""The catalog check: run every example call through the real executors and compare results."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

from apigen.catalog.loader import Catalog
from apigen.execution import EXECUTABLE_KINDS, ExecutionService, HttpExecutor, SandboxPool
from apigen.records import ApiSpec


def results_match(expected: Any, actual: Any, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Structural equality of JSON values; numbers compare with a small tolerance, bools strictly."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(expected, actual, rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        return len(expected) == len(actual) and all(results_match(e, a, rel_tol, abs_tol) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(results_match(v, actual[k], rel_tol, abs_tol) for k, v in expected.items())
    return type(expected) is type(actual) and expected == actual


@dataclass(frozen=True)
class ExampleOutcome:
    api: str
    index: int
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class CheckReport:
    outcomes: tuple[ExampleOutcome, ...]
    not_executable: tuple[str, ...]
    without_examples: tuple[str, ...]

    @property
    def failures(self) -> list[ExampleOutcome]:
        return [o for o in self.outcomes if not o.ok]


async def _check_one(spec: ApiSpec, index: int, service: ExecutionService) -> ExampleOutcome:
    example = spec.examples[index]
    result = await service.run(spec.executor, example.arguments)
    if not result.ok:
        return ExampleOutcome(spec.name, index, False, f"{result.code}: {result.error_type}: {result.message}")
    if not results_match(example.result, result.result):
        return ExampleOutcome(spec.name, index, False, f"expected {example.result!r}, got {result.result!r}")
    return ExampleOutcome(spec.name, index, True)


async def check_catalog(catalog: Catalog, workers: int = 2, timeout_s: float = 20.0) -> CheckReport:
    """Run every example of every executable API in the sandbox (python) or over HTTP (http)."""
    service = ExecutionService(SandboxPool(workers=workers, timeout_s=timeout_s, max_result_chars=20000),
                               HttpExecutor(timeout_s=timeout_s, max_result_chars=20000))
    runnable = [s for s in catalog.specs if s.executor.kind in EXECUTABLE_KINDS]
    try:
        outcomes = await asyncio.gather(*(_check_one(s, i, service) for s in runnable for i in range(len(s.examples))))
    finally:
        await service.close()
    return CheckReport(
        outcomes=tuple(outcomes),
        not_executable=tuple(s.name for s in catalog.specs if s.executor.kind not in EXECUTABLE_KINDS),
        without_examples=tuple(s.name for s in runnable if not s.examples),
    )
