"""Async orchestration: bounded concurrency, streaming writes, resume.

For each sample index: request -> prompt -> completion -> candidates -> format -> execution ->
semantic -> outcome. At most ``concurrency`` samples are in flight; requests are drawn lazily,
so 100,000 samples cost no more memory than ten.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from apigen.build import Components
from apigen.records import Candidate, Example, Verdict
from apigen.store import Outcome, RunStore


@dataclass
class RunProgress:
    finished: int = 0
    generation_errors: int = 0
    kept: int = 0
    rejected: int = 0
    last_generation_error: str = ""
    stage_seconds: dict[str, float] = field(default_factory=lambda: {"generate": 0.0, "format": 0.0, "execution": 0.0, "semantic": 0.0})


class Pipeline:
    def __init__(self, components: Components, store: RunStore,
                 on_progress: Callable[[RunProgress], None] | None = None):
        self.c, self.store = components, store
        self.progress = RunProgress()
        self.on_progress = on_progress or (lambda _p: None)
        # Exact repeats of a kept query add nothing to a dataset; they are rejected, also across resumes.
        self.kept_queries = {_normalise(o.example.query) for o in store.state.final_outcomes() if o.kept and o.example}

    def pending_indexes(self, num_samples: int) -> list[int]:
        finished = self.store.state.finished_samples()
        return [i for i in range(num_samples) if self.c.sampler.request(i).sample_id not in finished]

    async def run(self, indexes: list[int]) -> RunProgress:
        queue = iter(indexes)

        async def worker() -> None:
            for index in queue:  # a shared iterator: each index is taken by exactly one worker
                await self.process(index)

        try:
            await asyncio.gather(*(worker() for _ in range(min(self.c.cfg.concurrency, max(len(indexes), 1)))))
        finally:
            await self.c.pool.close()
        return self.progress

    @staticmethod
    def _duplicate(candidate: Candidate) -> Verdict:
        return Verdict(candidate.candidate_id, "format", False, "duplicate_query", "the same query was already kept")

    def _timed(self, stage: str, started: float) -> None:
        self.progress.stage_seconds[stage] += time.perf_counter() - started

    async def process(self, index: int) -> None:
        request = self.c.sampler.request(index)
        messages = self.c.render_generator_prompt(request)
        started = time.perf_counter()
        completion = await self.c.generator.complete(request.sample_id, messages, schema=self.c.generation_schema(request))
        self._timed("generate", started)
        if completion.error:
            # Not stored as finished: a rerun into the same directory retries this sample.
            self.progress.generation_errors += 1
            self.progress.last_generation_error = completion.error
            self.store.append_error(request, completion)
            self.on_progress(self.progress)
            return
        candidates = self.c.parse(request, completion)
        self.store.append_sample(request, completion, candidates)
        for candidate in candidates:
            outcome = await self.verify(candidate)
            self.store.append_outcome(outcome)
            if outcome.kept:
                self.progress.kept += 1
            else:
                self.progress.rejected += 1
        self.progress.finished += 1
        self.on_progress(self.progress)

    async def verify(self, candidate: Candidate) -> Outcome:
        verdicts: list[Verdict] = []

        def reject(verdict: Verdict, usage: dict[str, Any] | None = None) -> Outcome:
            return Outcome(candidate.candidate_id, candidate.sample_id, False, verdict.stage, verdict.reason,
                           verdict.detail, verdicts, judge_usage=usage or {})

        started = time.perf_counter()
        verdict = self.c.format_checker.check(candidate)
        self._timed("format", started)
        verdicts.append(verdict)
        if not verdict.passed:
            return reject(verdict)
        if _normalise(candidate.query) in self.kept_queries:
            return reject(self._duplicate(candidate))

        results: list[dict[str, Any]] = []
        if self.c.execution is not None:
            started = time.perf_counter()
            verdict = await self.c.execution.check(candidate)
            self._timed("execution", started)
            verdicts.append(verdict)
            if not verdict.passed:
                return reject(verdict)
            results = verdict.data.get("results", [])

        usage: dict[str, Any] = {}
        if self.c.judge is not None:
            started = time.perf_counter()
            verdict, completions = await self.c.judge.check(candidate, results)
            self._timed("semantic", started)
            verdicts.append(verdict)
            costs = [c.cost_usd for c in completions if c.cost_usd is not None]
            usage = {
                "prompt_tokens": sum(c.prompt_tokens for c in completions),
                "completion_tokens": sum(c.completion_tokens for c in completions),
                "cost_usd": sum(costs) if costs else None,
            }
            if not verdict.passed:
                return reject(verdict, usage)

        if _normalise(candidate.query) in self.kept_queries:  # kept meanwhile by a concurrent sample
            return reject(self._duplicate(candidate), usage)
        self.kept_queries.add(_normalise(candidate.query))
        example = Example(
            candidate_id=candidate.candidate_id, sample_id=candidate.sample_id, query=candidate.query,
            tools=tuple(self.c.catalog.get(n).tool_schema() for n in candidate.api_names),  # type: ignore[union-attr]
            answers=candidate.calls,
        )
        return Outcome(candidate.candidate_id, candidate.sample_id, True, "kept", "ok", "", verdicts, example, usage)


def _normalise(query: str) -> str:
    return " ".join(query.lower().split())
