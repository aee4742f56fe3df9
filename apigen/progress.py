"""The run's progress, readable on long runs.

What is shown: samples done of the total, examples kept, candidates rejected per stage (in chain
order), generation errors, model calls in flight (and how long the oldest has been running),
the request rate, tokens per second of the embedded model, elapsed time and an ETA. A timer
redraws it while calls are in flight, not only when a sample finishes: a first sample can take
minutes on a CPU.

- stderr is a terminal: a bar, redrawn every ``REFRESH_S`` seconds and on every finished sample.
- stderr is not a terminal (logs, CI, batch jobs): no bar; one summary line every
  ``output.progress_interval_s`` seconds, and one at the end.
- ``output.progress=false``: nothing.

Counts cover the whole run directory (earlier processes included); rates, elapsed time and the
ETA cover this process. Rates are taken over the last ``RATE_WINDOW_S`` seconds; the embedded
model's tokens are counted when its calls finish.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import sys
import time
from collections.abc import Awaitable
from typing import IO, TypeVar

from tqdm import tqdm

from apigen.llm.meter import METER, CallMeter
from apigen.pipeline import RunProgress
from apigen.store import RunState

T = TypeVar("T")

REFRESH_S = 1.0  # the bar redraws at least this often
RATE_WINDOW_S = 60.0


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressDisplay:
    def __init__(self, *, total: int, done_before: int, state: RunState, progress: RunProgress, stages: list[str],
                 local_model: bool, enabled: bool, interval_s: float, stream: IO[str] | None = None,
                 meter: CallMeter = METER):
        self.total, self.done_before, self.state, self.progress = total, done_before, state, progress
        self.stages, self.local_model, self.enabled, self.interval_s = stages, local_model, enabled, interval_s
        self.stream = stream or sys.stderr
        self.meter = meter
        self.interactive = enabled and self.stream.isatty()
        self.started = time.monotonic()
        # (time, calls finished, embedded-model tokens) readings for the rates, oldest first.
        self.readings: collections.deque[tuple[float, int, int]] = collections.deque([self._reading()])
        self.bar = tqdm(total=total, initial=done_before, unit="sample", desc="apigen", file=self.stream,
                        dynamic_ncols=True, disable=not self.interactive)

    def _reading(self) -> tuple[float, int, int]:
        return time.monotonic(), self.meter.finished, self.meter.local_tokens

    def _rates(self) -> tuple[float, float]:
        """(requests per second, embedded-model tokens per second) over the last RATE_WINDOW_S."""
        now = self._reading()
        while len(self.readings) > 1 and now[0] - self.readings[1][0] >= RATE_WINDOW_S:
            self.readings.popleft()
        self.readings.append(now)
        then = self.readings[0]
        span = max(now[0] - then[0], 1e-9)
        return (now[1] - then[1]) / span, (now[2] - then[2]) / span

    @property
    def done(self) -> int:
        return self.done_before + self.progress.processed

    def rejected_by_stage(self) -> dict[str, int]:
        counts: collections.Counter[str] = collections.Counter()
        for (stage, _reason), count in self.state.rejected.items():
            counts[stage] += count
        order = {stage: i for i, stage in enumerate(self.stages)}
        return {stage: counts[stage] for stage in sorted(counts, key=lambda s: (order.get(s, len(order)), s)) if counts[stage]}

    def eta_s(self) -> float | None:
        """Seconds left at this process's pace so far; None before its first finished sample."""
        finished = self.progress.processed
        if not finished:
            return None
        return (self.total - self.done) * (time.monotonic() - self.started) / finished

    def fields(self) -> list[str]:
        """The parts of the line after the sample count, as ``name value`` texts."""
        requests_per_s, tokens_per_s = self._rates()
        by_stage = self.rejected_by_stage()
        rejected = f"rejected {sum(by_stage.values())}"
        if by_stage:
            rejected += " (" + ", ".join(f"{stage} {count}" for stage, count in by_stage.items()) + ")"
        parts = [f"kept {self.state.kept}", rejected, f"generation errors {self.progress.generation_errors}"]
        in_flight = f"calls in flight {self.meter.in_flight}"
        if self.meter.in_flight:
            in_flight += f" (oldest {_clock(self.meter.longest_running_s())})"
        parts += [in_flight, f"{requests_per_s:.1f} req/s"]
        if self.local_model:
            parts.append(f"{tokens_per_s:.1f} tok/s")
        return parts

    def line(self) -> str:
        """One summary line (the non-interactive form)."""
        percent = 100.0 * self.done / self.total if self.total else 100.0
        eta = self.eta_s()
        return " | ".join([f"apigen: {self.done}/{self.total} samples ({percent:.1f}%)", *self.fields(),
                           f"elapsed {_clock(time.monotonic() - self.started)}",
                           f"ETA {'unknown' if eta is None else _clock(eta)}"])

    def redraw(self) -> None:
        if self.interactive:
            self.bar.set_postfix_str(", ".join(self.fields()), refresh=True)

    def sample_done(self, _progress: RunProgress | None = None) -> None:
        """Told of every processed sample (Pipeline.on_progress)."""
        if self.interactive:
            self.bar.update(1)
            self.redraw()

    def show(self, progress: RunProgress) -> None:
        """Told of the summed progress of worker processes (workers > 1), which report per sample."""
        self.progress = progress
        if self.interactive:
            self.bar.update(self.done - self.bar.n)
            self.redraw()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_S if self.interactive else self.interval_s)
            if self.interactive:
                self.redraw()
            else:
                print(self.line(), file=self.stream, flush=True)

    async def around(self, work: Awaitable[T]) -> T:
        """Await ``work`` with the display's timer running beside it."""
        if not self.enabled:
            return await work
        timer = asyncio.create_task(self._tick())
        try:
            return await work
        finally:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer

    def close(self) -> None:
        if self.interactive:
            self.redraw()
            self.bar.close()
        elif self.enabled:
            print(self.line(), file=self.stream, flush=True)
