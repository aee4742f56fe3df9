"""Adaptive concurrency (AIMD) against a real HTTP server that answers 429 above a concurrency
threshold: the in-flight limit backs off, recovers, and every call still gets its answer."""

from __future__ import annotations

import asyncio

from apigen.config import LLMConfig
from apigen.llm.client import LLMClient
from apigen.llm.router import AdaptiveLimit

from conftest import FakeLLMServer

MESSAGES = ({"role": "user", "content": "hello"},)


def _client(server: FakeLLMServer, **overrides) -> LLMClient:
    settings = {"max_retries": 8, "retry_backoff_s": 0.05, "timeout_s": 5.0, **overrides}
    return LLMClient(LLMConfig(model="openai/fake-model", api_base=server.api_base, api_key="test", **settings))


def _many(client: LLMClient, n: int):
    async def calls():
        return await asyncio.gather(*(client.complete(f"s{i}", MESSAGES) for i in range(n)))

    return asyncio.run(calls())


def test_429s_above_a_threshold_back_the_limit_off_then_it_recovers_and_every_call_finishes():
    with FakeLLMServer({"generator": ["ok"]}, latency_s=0.05, max_in_flight_ok=4) as server:
        client = _client(server, max_concurrency=16)
        limit = client.router.deployments[0].limit
        results = _many(client, 120)
        assert server.rate_limited > 0  # the threshold was reached at first
        answered = len(server.requests)
    assert all(r.error is None and r.text == "ok" for r in results)
    assert answered == 120  # every call answered once; the 429s were retried
    assert limit.backoffs >= 1 and limit.lowest <= 4  # backed off to (or under) the server's threshold
    assert limit.limit > limit.lowest  # and recovered additively after the last back-off


def test_without_a_configured_limit_the_first_429_sets_one_from_the_calls_in_flight():
    with FakeLLMServer({"generator": ["ok"]}, latency_s=0.1, max_in_flight_ok=3) as server:
        client = _client(server)  # max_concurrency 0: no limit until the server says so
        limit = client.router.deployments[0].limit
        results = _many(client, 40)
    assert all(r.error is None for r in results)
    assert limit.backoffs >= 1 and limit.lowest < 40


def test_the_limit_halves_once_per_round_and_grows_by_one_per_round_of_successes():
    limit = AdaptiveLimit(ceiling=16)
    rounds = [limit.take() for _ in range(16)]
    for started in rounds[:5]:  # five 429s of calls sent in the same round: one back-off
        limit.rate_limited(started)
    assert limit.limit == 8 and limit.backoffs == 1
    for _ in range(8):
        limit.succeeded()
    assert 8.9 < limit.limit < 9.1  # one more after a round of eight successes
    for _ in range(1000):
        limit.succeeded()
    assert limit.limit == 16  # never past max_concurrency


def test_waiting_for_a_free_slot_does_not_count_against_the_calls_timeout():
    # 32 calls of 0.25 s through one slot queue for 8 s, past the 2 s call timeout (+5 s wall limit).
    with FakeLLMServer({"generator": ["ok"]}, latency_s=0.25) as server:
        results = _many(_client(server, max_concurrency=1, timeout_s=2.0, max_retries=0), 32)
        assert server.max_in_flight == 1
    assert [r.error for r in results] == [None] * 32
