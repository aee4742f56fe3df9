"""Async orchestration: bounded concurrency, streaming writes, resume.

For each sample index: generate (request -> prompt -> completion -> candidates), then every
candidate through the verifier chain, each record appended to the run files as it is made. At
most ``concurrency`` samples are in flight and indexes are taken lazily from a shared iterator,
so memory does not grow with the number of samples.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from apigen.generate import Generator
from apigen.records import GenerationFailure
from apigen.store import RunStore
from apigen.verify.chain import VerifierChain


@dataclass
class RunProgress:
    """What this process has done so far (the run state counts earlier processes too)."""

    processed: int = 0
    generation_errors: int = 0
    kept: int = 0
    rejected: int = 0
    last_generation_error: str = ""
    generate_busy_s: float = 0.0  # summed over concurrent samples


class Pipeline:
    def __init__(self, generator: Generator, chain: VerifierChain, store: RunStore, concurrency: int,
                 on_progress: Callable[[RunProgress], None] | None = None):
        self.generator, self.chain, self.store = generator, chain, store
        self.concurrency = concurrency
        self.progress = RunProgress()
        self.on_progress = on_progress or (lambda _p: None)

    def pending_indexes(self, num_samples: int) -> list[int]:
        finished = self.store.state.finished
        return [i for i in range(num_samples) if self.generator.sampler.sample_id(i) not in finished]

    async def run(self, indexes: Iterable[int]) -> RunProgress:
        indexes = list(indexes)
        queue = iter(indexes)

        async def worker() -> None:
            for index in queue:  # a shared iterator: each index is taken by exactly one worker
                await self.process(index)

        try:
            await asyncio.gather(*(worker() for _ in range(min(self.concurrency, max(len(indexes), 1)))))
        finally:
            await self.chain.close()
        return self.progress

    async def process(self, index: int) -> None:
        request = self.generator.request(index)
        started = time.perf_counter()
        record = await self.generator.generate(request, self.store.state.next_attempt(request.sample_id))
        self.progress.generate_busy_s += time.perf_counter() - started
        if isinstance(record, GenerationFailure):
            # Not stored as finished: a rerun into the same directory retries this sample.
            self.progress.generation_errors += 1
            self.progress.last_generation_error = record.completion.error or ""
            self.store.append_failure(record)
            self.on_progress(self.progress)
            return
        self.store.append_sample(record)
        for candidate in record.candidates:
            outcome = await self.chain.verify(candidate, index, record.attempt)
            self.store.append_outcome(outcome)
            if outcome.kept:
                self.progress.kept += 1
            else:
                self.progress.rejected += 1
        self.progress.processed += 1
        self.on_progress(self.progress)
