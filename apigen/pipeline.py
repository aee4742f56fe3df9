"""Async orchestration: bounded concurrency, streaming writes, resume.

For each sample index: generate (request -> prompt -> completion -> candidates), then every
candidate through the verifier chain, each record appended to the run files as it is made. At
most ``concurrency`` samples are in flight and indexes are taken lazily from a shared iterator,
so memory does not grow with the number of samples. Before new samples, a rerun verifies again
the candidates whose stage could not decide before (their model calls failed after retries).

With ``sampler.feedback`` on, samples run in rounds of indexes: round r starts only once every
sample (and every candidate to verify again) before it is finished, and its few-shot pool is grown
from the rows kept before it, in index order (sampling.FewShotPool). A round that cannot finish
(a generation call failed after retries) stops the run there; a rerun finishes it and goes on.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass

from apigen.config import ShardConfig
from apigen.generate import Generator
from apigen.records import GenerationFailure, Outcome
from apigen.store import RunStore
from apigen.verify.chain import VerifierChain


@dataclass
class RunProgress:
    """What this process has done so far (the run state counts earlier processes too)."""

    processed: int = 0
    generation_errors: int = 0  # generation calls failed after retries (the samples stay unfinished)
    refused: int = 0  # generation requests the provider refused (the samples are finished)
    verify_errors: int = 0  # candidates whose stage could not decide (verified again on a rerun)
    rechecked: int = 0  # candidates of earlier runs verified again
    kept: int = 0
    rejected: int = 0
    last_generation_error: str = ""
    generate_busy_s: float = 0.0  # summed over concurrent samples
    blocked_round: int | None = None  # a feedback round not started: an earlier one is unfinished


def shard_indexes(num_samples: int, shard: ShardConfig | None = None) -> range:
    """The sample indexes a shard owns: i with i mod count == index (all of them unsharded)."""
    shard = shard or ShardConfig()
    return range(shard.index, num_samples, shard.count)


class Pipeline:
    def __init__(self, generator: Generator, chain: VerifierChain, store: RunStore, concurrency: int,
                 on_progress: Callable[[RunProgress], None] | None = None):
        self.generator, self.chain, self.store = generator, chain, store
        self.concurrency = concurrency
        self.progress = RunProgress()
        self.on_progress = on_progress or (lambda _p: None)

    def pending_indexes(self, num_samples: int, shard: ShardConfig | None = None) -> list[int]:
        finished = self.store.state.finished
        return [i for i in shard_indexes(num_samples, shard) if self.generator.sampler.sample_id(i) not in finished]

    def pending_checks(self, num_samples: int, shard: ShardConfig | None = None) -> list[str]:
        """Ids of candidates (of the shard's samples among the first ``num_samples``) to verify again."""
        owned = shard_indexes(num_samples, shard)
        return [cid for cid, check in self.store.state.pending_checks.items() if check.index in owned]

    async def run(self, indexes: Iterable[int], checks: Iterable[str] = ()) -> RunProgress:
        pool = self.generator.sampler.pool
        started: list[int] = []  # indexes of the rounds run so far (the others below them were finished before)
        try:
            for round_, (round_checks, round_indexes) in sorted(self._rounds(list(checks), list(indexes)).items()):
                if round_ > 0:
                    start = pool.round_start(round_)
                    if not self._finished_below(start, started):
                        self.progress.blocked_round = round_
                        break
                    pool.grow(round_, self.store.kept_examples(below_index=start))
                started += round_indexes
                await self._run_jobs(round_checks, round_indexes)
        finally:
            await self.chain.close()
        return self.progress

    def _rounds(self, checks: list[str], indexes: list[int]) -> dict[int, tuple[list[str], list[int]]]:
        """Checks and indexes by feedback round (everything in round 0 when feedback is off)."""
        pool, pending = self.generator.sampler.pool, self.store.state.pending_checks
        rounds: dict[int, tuple[list[str], list[int]]] = {}
        for cid in checks:
            rounds.setdefault(pool.round_of(pending[cid].index), ([], []))[0].append(cid)
        for index in indexes:
            rounds.setdefault(pool.round_of(index), ([], []))[1].append(index)
        return rounds

    def _finished_below(self, start: int, started: list[int]) -> bool:
        """Every sample this run started below index ``start`` finished (the others were finished
        before it began), and no candidate below it waits to be verified again."""
        finished, sample_id = self.store.state.finished, self.generator.sampler.sample_id
        return (all(sample_id(i) in finished for i in started if i < start)
                and not any(check.index < start for check in self.store.state.pending_checks.values()))

    async def _run_jobs(self, checks: list[str], indexes: list[int]) -> None:
        queue: Iterator[Callable[[], Awaitable[None]]] = itertools.chain(
            (functools.partial(self.recheck, cid) for cid in checks),
            (functools.partial(self.process, index) for index in indexes))

        async def worker() -> None:
            for job in queue:  # a shared iterator: each job is taken by exactly one worker
                await job()

        workers = min(self.concurrency, max(len(checks) + len(indexes), 1))
        await asyncio.gather(*(worker() for _ in range(workers)))

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
        if record.completion.error:  # refused by the provider: recorded, and the sample is finished
            self.progress.refused += 1
            self.store.append_failure(GenerationFailure(record.request, record.completion))
        self.store.append_sample(record)
        for candidate in record.candidates:
            self._settle(await self.chain.verify(candidate, index, record.attempt))
        self.progress.processed += 1
        self.on_progress(self.progress)

    async def recheck(self, candidate_id: str) -> None:
        """Verify again a candidate whose stage could not decide in an earlier run."""
        check = self.store.state.pending_checks[candidate_id]
        candidate = self.store.pending_candidate(candidate_id)
        self.progress.rechecked += 1
        self._settle(await self.chain.verify(candidate, check.index, check.attempt))

    def _settle(self, outcome: Outcome) -> None:
        self.store.append_outcome(outcome)
        if outcome.kept:
            self.progress.kept += 1
        else:
            self.progress.rejected += 1
            self.progress.verify_errors += outcome.retry
