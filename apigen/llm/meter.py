"""What the model calls of this process are doing, for the progress display: calls in flight
(and since when), calls finished, completion tokens (the embedded model's apart, for its tokens/s).

One meter per process: every LLMClient (generator, judges, solver) counts into ``METER``. It only
counts; readers take differences between two readings, so earlier runs in the same process do not
matter. Each attempt is one call (a retried request is two requests to the server).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class CallMeter:
    finished: int = 0  # calls answered or failed
    tokens: int = 0  # completion tokens of answered calls
    local_tokens: int = 0  # the part of ``tokens`` the embedded model wrote
    _running: dict[int, float] = field(default_factory=dict)  # call -> monotonic start
    _keys: Iterator[int] = field(default_factory=itertools.count)

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def longest_running_s(self, now: float | None = None) -> float:
        """How long the oldest call in flight has been running (0 when none is)."""
        if not self._running:
            return 0.0
        return (time.monotonic() if now is None else now) - min(self._running.values())

    @contextmanager
    def call(self) -> Iterator[None]:
        key = next(self._keys)
        self._running[key] = time.monotonic()
        try:
            yield
        finally:
            del self._running[key]
            self.finished += 1

    def add_tokens(self, completion_tokens: int, local: bool) -> None:
        self.tokens += completion_tokens
        if local:
            self.local_tokens += completion_tokens


METER = CallMeter()
