"""The verifier: one ordered chain of stages, as listed in ``verifier.stages``.

A stage is a module in ``apigen/verify/`` that defines ``build_stage(env) -> Stage``; the stage
has a ``name`` and ``async check(candidate, context) -> Verdict``. Adding a stage is one module
plus one entry in the config list; switching one off is removing it from the list. Stages run
cheap-first in the configured order and a candidate stops at its first rejection. The context
carries what later stages need from earlier ones (execution results) and what model calls cost.

Optional hooks: ``settle(candidate, kept)`` is called once a candidate's outcome is decided
(dedup releases or records its claim), ``restore(example)`` once per example kept before a
resume, and ``close()`` at the end of the run.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from apigen.records import Candidate, Example, ExecutionResult, Outcome, Usage, Verdict

if TYPE_CHECKING:
    from apigen.catalog import Catalog
    from apigen.config import Config
    from apigen.execution import ExecutionService
    from apigen.prompting import PromptRenderer
    from apigen.sampling import FewShotExample


class StageError(ValueError):
    """``verifier.stages`` names something that is not a stage, or the chain cannot be built."""


@dataclass
class StageContext:
    """What one candidate carries from stage to stage."""

    executions: tuple[ExecutionResult, ...] = ()
    usage: dict[str, Usage] = field(default_factory=dict)
    # Argument values the grounding stage could not trace to the query (shown to the judge).
    untraced: dict[str, list[Any]] = field(default_factory=dict)
    # The row a stage made of the candidate instead of the candidate itself (a derived relevance row).
    example: Example | None = None

    def add_usage(self, stage: str, usage: Usage) -> None:
        self.usage[stage] = self.usage.get(stage, Usage()) + usage


@runtime_checkable
class Stage(Protocol):
    name: str

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict: ...


@dataclass(frozen=True)
class StageEnv:
    """What a stage may be built from: the run's config and its shared, already built parts."""

    cfg: Config
    catalog: Catalog
    renderer: PromptRenderer
    examples: dict[str, FewShotExample]
    execution: ExecutionService


def _builds_a_stage(module: Any) -> bool:
    builder = getattr(module, "build_stage", None)
    return callable(builder) and builder.__module__ == module.__name__


def available_stages() -> list[str]:
    """Names of the modules in apigen/verify/ that build a stage."""
    import apigen.verify as package

    return sorted(info.name for info in pkgutil.iter_modules(package.__path__)
                  if not info.name.startswith("_") and _builds_a_stage(importlib.import_module(f"apigen.verify.{info.name}")))


def stage_named(name: str, env: StageEnv) -> Stage:
    """The stage a config entry names; only modules of apigen.verify that define build_stage."""
    module = None
    if name.isidentifier():
        try:
            module = importlib.import_module(f"apigen.verify.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"apigen.verify.{name}":
                raise
    if module is None or not _builds_a_stage(module):
        raise StageError(f"verifier.stages: '{name}' is not a stage; known: {available_stages()}")
    stage = module.build_stage(env)
    if not isinstance(stage, Stage) or stage.name != name:
        raise StageError(f"verifier.stages: apigen.verify.{name}.build_stage did not build a stage named '{name}'")
    return stage


class VerifierChain:
    def __init__(self, stages: list[Stage], catalog: Catalog):
        self.stages, self.catalog = stages, catalog
        self.names = [s.name for s in stages]
        self.busy_s = {name: 0.0 for name in self.names}  # summed over concurrent candidates

    async def verify(self, candidate: Candidate, index: int, attempt: int) -> Outcome:
        context = StageContext()
        verdicts: list[Verdict] = []
        final: Verdict | None = None
        for stage in self.stages:
            started = time.perf_counter()
            verdict = await stage.check(candidate, context)
            self.busy_s[stage.name] += time.perf_counter() - started
            verdicts.append(verdict)
            if not verdict.passed:
                final = verdict
                break
        kept = final is None
        example = None
        if kept:
            example = context.example or Example(candidate.candidate_id, candidate.sample_id, candidate.query,
                              tuple(self.catalog.tools(candidate.api_names)), candidate.calls,
                              style=candidate.style)
        self._hook("settle", candidate, kept)
        return Outcome(
            candidate_id=candidate.candidate_id, sample_id=candidate.sample_id, index=index,
            position=candidate.position, attempt=attempt, kept=kept,
            stage=final.stage if final else "kept", reason=final.reason if final else "ok",
            detail=final.detail if final else "", verdicts=tuple(verdicts), executions=context.executions,
            usage=context.usage, example=example, retry=bool(final and final.retry),
        )

    def stage(self, name: str) -> Stage:
        return self.stages[self.names.index(name)]

    def restore(self, example: Example) -> None:
        self._hook("restore", example)

    async def close(self) -> None:
        for stage in self.stages:
            close = getattr(stage, "close", None)
            if close is not None:
                await close()

    def _hook(self, hook: str, *args: Any) -> None:
        for stage in self.stages:
            method = getattr(stage, hook, None)
            if method is not None:
                method(*args)

