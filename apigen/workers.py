"""Worker processes: a run's samples spread over several cores (``workers: N``).

One process saturates one core with remote model calls (litellm costs a few ms of CPU per call).
With ``workers > 1`` the run starts N processes (spawned, so none inherits the parent's threads);
worker w builds every component from the same config, takes the pending sample indexes i with
i mod N == w, and runs its own event loop with its share of ``concurrency``. Sample ids and
prompts depend only on (seed, index, generation digest), so the rows are those of a one-process
run.

The parent stays the only writer of the run files: a worker sends each record (sample, failure,
outcome) over a queue, and the parent appends it through RunStore exactly as the one-process
pipeline does, so the append discipline, the byte offsets and resume are unchanged. Candidates
an earlier run could not decide are verified again in the parent, before the workers start.

Not shared between workers: the dedup stage's memory of queries kept in this run (each worker
knows the kept queries of earlier runs and its own), and the consecutive-failure count of a
model (each worker counts its own calls).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import queue as queue_module
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from apigen.config import Config
from apigen.records import GenerationFailure, Outcome, SampleRecord

_POLL_S = 0.5  # how often the parent checks that its workers are alive while waiting for records
# A worker sends its records in batches, at most this long after the first one of a batch: one
# queue message a sample (and a wake-up of the queue's feeder thread for each) cost the worker
# more CPU than its model call.
_BATCH_S = 0.05


def freeze_startup_objects() -> None:
    """Move everything built so far (catalog, templates, litellm's tables) out of the garbage
    collector's view: full collections then stop rescanning them (+10-12% measured, issue 11)."""
    gc.collect()
    gc.freeze()


def share(total: int, workers: int, worker: int) -> int:
    """Worker ``worker``'s part of ``total`` (samples in flight), at least 1."""
    return max(1, total // workers + (1 if worker < total % workers else 0))


class WorkerError(RuntimeError):
    """A worker process stopped with an error; the message names the worker and the error."""


class _Attempts:
    """The part of RunState a worker's pipeline reads: the next attempt of an unfinished sample."""

    def __init__(self, attempts: dict[str, int]):
        self.attempts = attempts
        self.pending_checks: dict[str, Any] = {}  # the parent verifies those before workers start

    def next_attempt(self, sample_id: str) -> int:
        return self.attempts.get(sample_id, 0)


class _ForwardingStore:
    """A worker's stand-in for RunStore: every record goes to the parent, which writes it. Records
    are sent in order, in batches (one queue message each ``_BATCH_S``) with the worker's latest
    progress; ``flush`` sends what is left."""

    def __init__(self, worker: int, attempts: dict[str, int], out: Any):
        self.worker, self.out = worker, out
        self.state = _Attempts(attempts)
        self.progress: Any = None  # the pipeline's RunProgress, sent with each batch
        self._batch: list[tuple[str, str]] = []

    def append_sample(self, record: SampleRecord) -> None:
        self._add("sample", record.to_json())

    def append_failure(self, failure: GenerationFailure) -> None:
        self._add("failure", failure.to_json())

    def append_outcome(self, outcome: Outcome) -> None:
        self._add("outcome", outcome.to_json())

    def _add(self, kind: str, line: str) -> None:
        if not self._batch:
            try:
                asyncio.get_running_loop().call_later(_BATCH_S, self.flush)
            except RuntimeError:  # outside the worker's loop: nothing would flush it later
                self._batch.append((kind, line))
                self.flush()
                return
        self._batch.append((kind, line))

    def flush(self) -> None:
        if self._batch or self.progress is not None:
            progress = asdict(self.progress) if self.progress is not None else None
            self.out.put(("batch", self.worker, (self._batch, progress)))
            self._batch = []


def _worker_main(cfg: Config, run_dir: str, worker: int, indexes: list[int], attempts: dict[str, int],
                 concurrency: int, out: Any) -> None:
    """One worker process: build, learn the kept queries of earlier runs, run its indexes."""
    forward: _ForwardingStore | None = None
    try:
        from apigen.build import build
        from apigen.pipeline import Pipeline
        from apigen.store import RunStore

        components = build(cfg)
        earlier = RunStore(run_dir)  # read only: the dedup stage learns the queries kept before
        earlier.load(on_kept=components.chain.restore)
        earlier.close()
        freeze_startup_objects()
        forward = _ForwardingStore(worker, attempts, out)
        pipeline = Pipeline(components.generator, components.chain, forward, concurrency)  # type: ignore[arg-type]
        forward.progress = pipeline.progress
        progress = asyncio.run(pipeline.run(indexes))
        forward.flush()
        out.put(("done", worker, (asdict(progress), dict(components.chain.busy_s))))
    except BaseException as exc:  # reported to the parent, which stops the run with it
        if forward is not None:
            forward.flush()  # the records made so far are paid for: the parent writes them first
        out.put(("error", worker, (type(exc).__name__, str(exc))))


def run_in_workers(cfg: Config, store: Any, indexes: list[int],
                   on_progress: Callable[[dict[int, dict[str, Any]]], None],
                   make_error: Callable[[str, str], BaseException]) -> tuple[dict[int, dict[str, Any]], dict[str, float]]:
    """Run ``indexes`` in ``cfg.workers`` processes, appending every record to ``store``.
    ``on_progress`` sees the latest progress of every worker; ``make_error(name, message)`` turns a worker's error into the exception raised
    here. Returns the final progress of every worker and the summed stage busy times."""
    count = cfg.workers
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    attempts = {sid: sample.attempt + 1 for sid, sample in store.state.open.items()}
    processes = []
    for worker in range(count):
        mine = [i for i in indexes if i % count == worker]
        process = context.Process(
            target=_worker_main, name=f"apigen-worker-{worker}", daemon=True,
            args=(cfg, str(Path(store.run_dir)), worker, mine, attempts, share(cfg.concurrency, count, worker), out))
        process.start()
        processes.append(process)
    progress: dict[int, dict[str, Any]] = {}
    busy: dict[str, float] = {}
    running = set(range(count))
    readers: dict[str, tuple[Any, Callable[[Any, str], None]]] = {"sample": (SampleRecord, store.append_sample), "failure": (GenerationFailure, store.append_failure),
               "outcome": (Outcome, store.append_outcome)}
    try:
        while running:
            try:
                kind, worker, payload = out.get(timeout=_POLL_S)
            except queue_module.Empty:
                dead = [w for w in running if not processes[w].is_alive()]
                if dead and out.empty():
                    raise WorkerError(f"worker {dead[0]} exited (code {processes[dead[0]].exitcode}) without finishing") from None
                continue
            if kind == "batch":
                lines, latest = payload
                for record_kind, line in lines:
                    record_type, append = readers[record_kind]
                    append(record_type.from_json(line), line)  # written as the worker wrote it
                if latest is not None:
                    progress[worker] = latest
                    on_progress(progress)
            elif kind == "done":
                progress[worker], worker_busy = payload
                for name, seconds in worker_busy.items():
                    busy[name] = busy.get(name, 0.0) + seconds
                running.discard(worker)
            elif kind == "error":
                raise make_error(*payload)
    finally:
        for process in processes:
            if process.is_alive() and running:
                process.terminate()
        for process in processes:
            process.join(timeout=10)
    return progress, busy


def summed(progress: dict[int, dict[str, Any]], cls: type) -> Any:
    """One RunProgress-like record from every worker's: numbers added, the last error kept."""
    total = cls()
    for values in progress.values():
        for f in fields(cls):
            value = values.get(f.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(total, f.name, getattr(total, f.name) + value)
            elif value:
                setattr(total, f.name, value)
    return total
