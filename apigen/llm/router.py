"""Where a role's calls go: one endpoint, or several deployments of one model, each with its own
adaptive in-flight limit and a cooldown.

- **Deployments** (``llm.deployments``): every call goes to the usable deployment with the most
  free capacity; the lowest ``order`` first, a higher order (a provider kept as a fallback) only
  while every lower one cools down. A deployment failing ``cooldown_after`` calls in a row (5xx,
  timeouts, refused connections) is left out for ``cooldown_s``; when all are cooling down, all
  are tried again rather than the run stalling. Without deployments the role's own endpoint is
  the one deployment, so both cases share one path.
- **Adaptive concurrency** (AIMD): each deployment admits at most ``limit`` calls at once, starting
  at its ``max_concurrency`` (no limit when 0). A 429 halves the limit (from the calls then in
  flight when there was none), once per round of calls; every success adds ``1/limit``, so about
  one more call per round of successes, back up to ``max_concurrency``.

litellm's own Router refuses a call outright when a deployment's ``max_parallel_requests`` slots
are taken (a RateLimitError, measured with litellm 1.105), which a run would read as the
provider's 429; this module queues the call instead and still sends it through
``litellm.acompletion``. Keys come from environment variables named in the config, never from
the config itself.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import litellm

from apigen.config import ConfigError, LLMConfig
from apigen.llm.meter import METER

_RATE_LIMITED = 429
# Faults that say "this endpoint is unwell" (not "this request is bad"): they count towards a cooldown.
_UNWELL_STATUSES = frozenset({408, *range(500, 600)})


class AdaptiveLimit:
    """An AIMD limit on calls in flight. ``acquire`` waits for a free slot and returns the round
    the call started in; a 429 of a call from an earlier round (sent before the last back-off)
    does not back off again."""

    def __init__(self, ceiling: int = 0, decrease: float = 0.5):
        self.ceiling = float(ceiling) if ceiling > 0 else math.inf
        self.limit = self.ceiling
        self.decrease = decrease
        self.in_flight = 0
        self.round = 0
        self.backoffs = 0
        self.lowest = self.limit  # for reports and tests: how far it backed off

    def free(self) -> float:
        return self.limit - self.in_flight

    def take(self) -> int:
        self.in_flight += 1
        return self.round

    def release(self) -> None:
        self.in_flight -= 1

    def succeeded(self) -> None:
        if self.limit < self.ceiling:
            self.limit = min(self.ceiling, self.limit + 1.0 / self.limit)

    def rate_limited(self, started_round: int) -> None:
        if started_round != self.round:
            return  # this round already backed off
        base = self.limit if self.limit < math.inf else float(max(self.in_flight, 1))
        self.limit = max(1.0, math.floor(base * self.decrease))
        self.round += 1
        self.backoffs += 1
        self.lowest = min(self.lowest, self.limit)


@dataclass
class Deployment:
    """One endpoint: what it adds to a call (model, api_base, api_key), its limit and health."""

    label: str  # for messages: its URL, or its model
    params: dict[str, Any]
    order: int
    limit: AdaptiveLimit
    consecutive_failures: int = 0
    cooled_until: float = 0.0
    calls: int = 0
    failures: int = 0
    cooldowns: int = 0

    def usable(self, now: float) -> bool:
        return now >= self.cooled_until and self.limit.free() >= 1


@dataclass
class Router:
    deployments: list[Deployment]
    cooldown_after: int
    cooldown_s: float
    clock: Callable[[], float] = time.monotonic
    _waiters: list[asyncio.Future[None]] = field(default_factory=list)

    @property
    def many(self) -> bool:
        return len(self.deployments) > 1

    def describe(self) -> str:
        return ", ".join(d.label for d in self.deployments)

    async def send(self, kwargs: dict[str, Any], timeout: float | None = None) -> Any:
        """One attempt of one call, on the best deployment free now (waiting for one if needed);
        ``timeout`` bounds the call, not the wait for a free slot."""
        deployment, started_round = await self._acquire()
        deployment.calls += 1
        try:
            with METER.call():  # in flight from here: a call waiting for a free slot is not
                response = await asyncio.wait_for(litellm.acompletion(**_on(deployment, kwargs)), timeout)
        except BaseException as exc:
            self._failed(deployment, exc, started_round)
            raise
        else:
            deployment.consecutive_failures = 0
            deployment.limit.succeeded()
            return response
        finally:
            deployment.limit.release()
            self._wake()

    async def preflight(self, kwargs: dict[str, Any]) -> list[tuple[Deployment, BaseException]]:
        """One call to each deployment; those that fail are cooled down now and returned."""
        failed: list[tuple[Deployment, BaseException]] = []
        for deployment in self.deployments:
            try:
                await litellm.acompletion(**_on(deployment, kwargs))
            except Exception as exc:
                self._cool(deployment)
                failed.append((deployment, exc))
        return failed

    def _choose(self) -> Deployment | None:
        now = self.clock()
        healthy = [d for d in self.deployments if now >= d.cooled_until]
        pool = healthy or self.deployments  # all cooling down: try them all rather than stall
        first = min(d.order for d in pool)
        free = [d for d in pool if d.order == first and d.limit.free() >= 1]
        return max(free, key=lambda d: d.limit.free()) if free else None

    async def _acquire(self) -> tuple[Deployment, int]:
        while True:
            deployment = self._choose()
            if deployment is not None:
                return deployment, deployment.limit.take()
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                # Woken by a finished call; the timeout re-checks cooldowns that have ended meanwhile.
                await asyncio.wait_for(asyncio.shield(waiter), timeout=1.0)
            except asyncio.TimeoutError:
                pass
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _failed(self, deployment: Deployment, exc: BaseException, started_round: int) -> None:
        deployment.failures += 1
        status = getattr(exc, "status_code", None)
        if status == _RATE_LIMITED or isinstance(exc, litellm.exceptions.RateLimitError):
            deployment.limit.rate_limited(started_round)
            return
        if isinstance(exc, asyncio.CancelledError):
            return  # our own wall-clock limit or a stopped run: the endpoint said nothing
        if self.clock() < deployment.cooled_until:
            return  # a call sent before the cooldown began: already counted
        if status is None or status in _UNWELL_STATUSES:  # no answer, a timeout, a 5xx
            deployment.consecutive_failures += 1
            if deployment.consecutive_failures >= self.cooldown_after:
                self._cool(deployment)

    def _cool(self, deployment: Deployment) -> None:
        deployment.cooled_until = self.clock() + self.cooldown_s
        deployment.consecutive_failures = 0
        deployment.cooldowns += 1


def _on(deployment: Deployment, kwargs: dict[str, Any]) -> dict[str, Any]:
    """A call's arguments sent to ``deployment``: its model, URL and key replace the role's."""
    if not deployment.params:
        return kwargs
    call = {k: v for k, v in kwargs.items() if k not in ("api_base", "api_key")}
    call.update(deployment.params)
    return call


def build_router(cfg: LLMConfig, key: str = "llm") -> Router:
    """The router of a role: its ``deployments``, or its own endpoint as the one deployment (the
    call's own model, api_base and key then go through untouched)."""
    if not cfg.deployments:
        own = Deployment(cfg.api_base or cfg.model, {}, 0, AdaptiveLimit(cfg.max_concurrency))
        return Router([own], cfg.cooldown_after, cfg.cooldown_s)
    deployments = []
    for i, settings in enumerate(cfg.deployments):
        params: dict[str, Any] = {"model": settings.model or cfg.model}
        if settings.api_base:
            params["api_base"] = settings.api_base
        if settings.api_key_env:
            value = os.environ.get(settings.api_key_env)
            if not value:
                raise ConfigError(f"{key}.deployments[{i}].api_key_env: the environment variable "
                                  f"'{settings.api_key_env}' is not set (it should hold that endpoint's key)")
            params["api_key"] = value
        elif cfg.api_key:
            params["api_key"] = cfg.api_key
        label = settings.api_base or params["model"]
        deployments.append(Deployment(label, params, settings.order, AdaptiveLimit(settings.max_concurrency)))
    return Router(deployments, cfg.cooldown_after, cfg.cooldown_s)


def deployment_keys(cfg: LLMConfig) -> list[str]:
    """The keys the deployments read from the environment (so that messages can redact them)."""
    return [os.environ[d.api_key_env] for d in cfg.deployments if d.api_key_env and os.environ.get(d.api_key_env)]
