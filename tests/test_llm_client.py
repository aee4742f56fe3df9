"""The litellm adapter against a real HTTP server: retries, fatal errors, usage, timeouts."""

from __future__ import annotations

import asyncio

import pytest

from apigen.config import LLMConfig
from apigen.llm.client import LLMClient, LLMFatalError

from conftest import FakeLLMServer

MESSAGES = ({"role": "user", "content": "hello"},)


def _client(server: FakeLLMServer, **overrides) -> LLMClient:
    settings = {"max_retries": 2, "retry_backoff_s": 0.01, "timeout_s": 5.0, **overrides}
    cfg = LLMConfig(model="openai/fake-model", api_base=server.api_base, api_key="test", **settings)
    return LLMClient(cfg)


def test_transient_errors_are_retried_then_succeed():
    with FakeLLMServer({"generator": ["fine"]}, fail_first=2, fail_status=503) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 3
    assert completion.error is None and completion.text == "fine"
    assert completion.usage.prompt_tokens == 10 and completion.usage.completion_tokens == 1
    assert completion.finish_reason == "stop"


def test_retries_exhausted_gives_an_error_completion_not_an_exception():
    with FakeLLMServer({"generator": [{"status": 500}]}) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 3  # one call + max_retries
    assert completion.error and "3 attempt(s)" in completion.error and completion.text == ""


def test_rate_limits_are_retried():
    with FakeLLMServer({"generator": ["ok"]}, fail_first=2, fail_status=429) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 3
    assert completion.text == "ok" and completion.error is None


def test_authentication_failure_is_fatal_at_once():
    with FakeLLMServer({"generator": [{"status": 401}]}) as server:
        with pytest.raises(LLMFatalError, match="fake-model"):
            asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 1


def test_slow_server_times_out_and_is_retried():
    with FakeLLMServer({"generator": [{"content": "late", "delay": 3.0}, "on time"]}) as server:
        completion = asyncio.run(_client(server, timeout_s=1.0).complete("s1", MESSAGES))
    assert completion.text == "on time"


def test_json_mode_and_sampling_settings_reach_the_server():
    with FakeLLMServer({"generator": ["{}"]}) as server:
        asyncio.run(_client(server, temperature=0.3, max_tokens=77, extra={"top_p": 0.5}).complete("s1", MESSAGES, schema={"type": "object"}))
        body = server.requests[0]
    assert body["response_format"] == {"type": "json_object"}
    assert body["temperature"] == 0.3 and body["max_tokens"] == 77 and body["top_p"] == 0.5
    assert body["messages"] == [dict(m) for m in MESSAGES]


def test_concurrent_calls_are_bounded_by_the_pipeline_not_serialised_by_the_client():
    with FakeLLMServer({"generator": ["x"]}, latency_s=0.5) as server:
        client = _client(server)

        async def many():
            return await asyncio.gather(*(client.complete(f"s{i}", MESSAGES) for i in range(4)))

        results = asyncio.run(many())
        assert server.max_in_flight == 4  # all four calls were open at the server at once
    assert all(r.text == "x" for r in results)
