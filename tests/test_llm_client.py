"""The litellm adapter against a real HTTP server: retries, fatal errors, usage, timeouts."""

from __future__ import annotations

import asyncio
import time

import litellm
import pytest

from apigen.config import DeploymentConfig, LLMConfig
from apigen.llm.client import LLMClient, LLMFatalError, classify

from conftest import FakeLLMServer
from fake_llm_server import CONTEXT_LENGTH_400, ERROR_OBJECT_200, NO_CHOICES, closed_port_url

MESSAGES = ({"role": "user", "content": "hello"},)


def _client(server: FakeLLMServer, **overrides) -> LLMClient:
    settings = {"model": "openai/fake-model", "max_retries": 2, "retry_backoff_s": 0.01, "timeout_s": 5.0, **overrides}
    cfg = LLMConfig(api_base=server.api_base, api_key="test", **settings)
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


# ----- every fault a provider can answer with, classified (transient / refused request / fatal) -----

@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 520, 529])
def test_transient_statuses_are_retried_then_recorded(status):
    with FakeLLMServer({"generator": [{"status": status}]}) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 3  # one call + max_retries
    assert completion.error and completion.error_kind == "transient" and completion.text == ""


@pytest.mark.parametrize("status", [409, 520, 529])
def test_a_transient_status_then_an_answer_succeeds(status):
    with FakeLLMServer({"generator": ["fine"]}, fail_first=1, fail_status=status) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 2
    assert completion.error is None and completion.text == "fine"


@pytest.mark.parametrize("status", [400, 413, 422])
def test_a_refused_request_is_recorded_at_once_for_that_request(status):
    with FakeLLMServer({"generator": [{"status": status}]}) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 1  # retrying the same request cannot help
    assert completion.error and completion.error_kind == "request"


@pytest.mark.parametrize("status", [401, 402, 403, 404])
def test_fatal_statuses_stop_at_once_naming_the_model_and_the_url(status):
    with FakeLLMServer({"generator": [{"status": status}]}) as server:
        with pytest.raises(LLMFatalError) as raised:
            asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 1
    assert "openai/fake-model" in str(raised.value) and server.api_base in str(raised.value)


def test_a_context_length_error_is_a_refused_request():
    with FakeLLMServer({"generator": [CONTEXT_LENGTH_400]}) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 1
    assert completion.error_kind == "request" and "maximum context length" in completion.error


def test_a_200_with_an_error_object_is_a_refused_request():
    with FakeLLMServer({"generator": [ERROR_OBJECT_200]}) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
    assert completion.error_kind == "request" and "rejected this prompt" in completion.error


def test_a_response_without_choices_is_retried_then_recorded():
    with FakeLLMServer({"generator": [NO_CHOICES, NO_CHOICES, "late but fine"]}) as server:
        assert asyncio.run(_client(server).complete("s1", MESSAGES)).text == "late but fine"
    with FakeLLMServer({"generator": [NO_CHOICES]}) as server:
        completion = asyncio.run(_client(server).complete("s1", MESSAGES))
        assert len(server.requests) == 3
    assert completion.error_kind == "transient" and "no choices" in completion.error


def test_model_text_with_a_lone_surrogate_is_returned_as_sent():
    with FakeLLMServer({"generator": ["half a pair: \ud800 here"]}) as server:
        completion = asyncio.run(_client(server).complete("s1", ({"role": "user", "content": "echo \udc80"},)))
        assert server.requests[0]["messages"][0]["content"] == "echo \ufffd"  # sent as valid text
    assert completion.text == "half a pair: \ud800 here"


def test_an_unknown_exception_is_retried_then_recorded():
    assert classify(RuntimeError("something no one expected")).kind == "transient"
    assert classify(ValueError("Requested tokens (9000) exceed context window of 4096")).kind == "request"


def test_missing_credentials_are_fatal_at_once(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with FakeLLMServer({"generator": ["never"]}) as server:
        cfg = LLMConfig(model="openai/fake-model", api_base=server.api_base, max_retries=3, retry_backoff_s=1.0)
        started = time.perf_counter()
        with pytest.raises(LLMFatalError, match="(?i)credentials") as raised:
            asyncio.run(LLMClient(cfg).complete("s1", MESSAGES))
    assert time.perf_counter() - started < 2.0 and server.api_base in str(raised.value)


def test_the_preflight_of_a_closed_port_fails_at_once_naming_the_url():
    url = closed_port_url()
    cfg = LLMConfig(model="openai/fake-model", api_base=url, api_key="test", max_retries=3, retry_backoff_s=1.0)
    started = time.perf_counter()
    with pytest.raises(LLMFatalError) as raised:
        asyncio.run(LLMClient(cfg, role="judge").preflight())
    assert time.perf_counter() - started < 2.0  # no retries: nothing listens there
    assert url in str(raised.value) and "judge" in str(raised.value) and "openai/fake-model" in str(raised.value)


def test_the_preflight_passes_on_a_live_server_and_any_failure_there_is_fatal():
    with FakeLLMServer({"generator": ["unused"]}) as server:
        asyncio.run(_client(server).preflight())
        assert len(server.preflights) == 1 and server.requests == []
    with FakeLLMServer({"generator": ["unused"], "preflight": [CONTEXT_LENGTH_400]}) as server, \
            pytest.raises(LLMFatalError, match="maximum context length"):
        asyncio.run(_client(server).preflight())


def test_consecutive_failed_calls_stop_the_run_and_a_success_resets_the_count():
    script = [{"status": 500}] * 4 + ["ok"] + [{"status": 500}] * 6  # 2 attempts per call
    with FakeLLMServer({"generator": script}) as server:
        client = _client(server, max_retries=1, max_consecutive_failures=3)

        async def calls():
            results = [await client.complete(f"s{i}", MESSAGES) for i in range(3)]  # fail, fail, ok
            results += [await client.complete(f"t{i}", MESSAGES) for i in range(2)]  # fail, fail
            return results

        results = asyncio.run(calls())
        assert [bool(r.error) for r in results] == [True, True, False, True, True]
        with pytest.raises(LLMFatalError, match="3 consecutive"):
            asyncio.run(client.complete("t3", MESSAGES))


def test_the_embedded_engines_context_overflow_is_a_refused_request():
    """llama.cpp raises ValueError("Requested tokens (N) exceed context window of M"); litellm hands a
    custom provider's exception on as an APIConnectionError carrying that message."""

    class Overflowing(litellm.CustomLLM):
        async def acompletion(self, *args, **kwargs):
            raise ValueError("Requested tokens (9000) exceed context window of 4096")

    saved = litellm.custom_provider_map
    litellm.custom_provider_map = [*saved, {"provider": "overflowing", "custom_handler": Overflowing()}]
    try:
        cfg = LLMConfig(model="overflowing/m", max_retries=2, retry_backoff_s=0.01)
        completion = asyncio.run(LLMClient(cfg).complete("s1", MESSAGES))
    finally:
        litellm.custom_provider_map = saved
    assert completion.error_kind == "request" and "exceed context window" in completion.error


def test_the_price_of_a_known_model_is_litellms_own_and_is_not_computed_a_second_time():
    """The client reads the cost litellm put on the response instead of pricing it again (a
    model-map lookup per call); a spy on litellm.completion_cost counts the second pricing."""
    priced = []
    original = litellm.completion_cost

    def spy(*args, **kwargs):
        priced.append(1)
        return original(*args, **kwargs)

    with FakeLLMServer({"generator": ["a priced answer"]}) as server:
        litellm.completion_cost = spy
        try:
            known = asyncio.run(_client(server, model="openai/gpt-4o-mini").complete("s1", MESSAGES))
        finally:
            litellm.completion_cost = original
        unknown = asyncio.run(_client(server).complete("s2", MESSAGES))
    expected = 10 * litellm.model_cost["gpt-4o-mini"]["input_cost_per_token"] + \
        known.usage.completion_tokens * litellm.model_cost["gpt-4o-mini"]["output_cost_per_token"]
    assert known.usage.cost_usd == pytest.approx(expected)
    assert unknown.usage.cost_usd is None  # a model without a price: the cost is not known
    assert priced == []


def test_a_model_litellm_cannot_price_is_registered_at_price_zero_and_its_cost_stays_unknown():
    """For a model missing from litellm's map, litellm searched the whole map on every call; the
    client registers it once (price 0), and still reports its cost as unknown, not as 0."""
    with FakeLLMServer({"generator": ["one", "two"]}) as server:
        unpriced = _client(server, model="hosted_vllm/apigen-unpriced-model")
        assert unpriced.unpriced and "hosted_vllm/apigen-unpriced-model" in litellm.model_cost
        first = asyncio.run(unpriced.complete("s1", MESSAGES))
        mixed = _client(server, model="openai/gpt-4o-mini", deployments=[
            DeploymentConfig(api_base=server.api_base),
            DeploymentConfig(api_base=server.api_base, model="hosted_vllm/apigen-other-model", order=1)])
        second = asyncio.run(mixed.complete("s2", MESSAGES))
    assert first.error is None and first.usage.cost_usd is None
    assert not mixed.unpriced and "hosted_vllm/apigen-other-model" not in litellm.model_cost  # one priced model: left as is
    assert second.usage.cost_usd is not None and second.usage.cost_usd > 0
