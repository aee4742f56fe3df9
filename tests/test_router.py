"""Several deployments of one model (llm.deployments) against three real HTTP servers on
127.0.0.1, one of them failing: calls are routed around it, it is cooled down, and the load
spreads over the healthy ones."""

from __future__ import annotations

import asyncio

import pytest

from apigen.config import ConfigError, DeploymentConfig, LLMConfig
from apigen.llm.client import LLMClient, LLMFatalError

from conftest import FakeLLMServer, compose_config, fake_llm_overrides, read_jsonl, run_cli
from fake_llm_server import closed_port_url

MESSAGES = ({"role": "user", "content": "hello"},)


def _client(bases: list[str], **overrides) -> LLMClient:
    settings = {"max_retries": 3, "retry_backoff_s": 0.01, "timeout_s": 5.0, "cooldown_after": 2, "cooldown_s": 60.0,
                **overrides}
    deployments = [DeploymentConfig(api_base=b, max_concurrency=4) for b in bases]
    return LLMClient(LLMConfig(model="openai/fake-model", api_key="test", deployments=deployments, **settings))


def _many(client: LLMClient, n: int):
    async def calls():
        await client.preflight()
        return await asyncio.gather(*(client.complete(f"s{i}", MESSAGES) for i in range(n)))

    return asyncio.run(calls())


def test_a_deployment_answering_5xx_is_cooled_down_and_the_healthy_ones_share_the_load():
    with FakeLLMServer({"generator": ["ok"]}, latency_s=0.02) as a, FakeLLMServer({"generator": ["ok"]}, latency_s=0.02) as b, \
            FakeLLMServer({"generator": [{"status": 503}], "preflight": ['{"ok": true}']}) as failing:
        client = _client([a.api_base, failing.api_base, b.api_base])
        results = _many(client, 60)
        served = len(a.requests), len(b.requests), len(failing.requests)
    assert all(r.error is None and r.text == "ok" for r in results)
    assert served[0] + served[1] == 60
    # Cooled down after cooldown_after (2) failures in a row: at most the calls already in flight
    # then (max_concurrency, 4) and one more reach it, of 60.
    assert served[2] <= 5
    assert min(served[0], served[1]) >= 15  # spread by free capacity, not all on one
    assert client.router.deployments[1].cooldowns == 1


def test_a_deployment_refusing_connections_is_named_at_preflight_and_routed_around(capsys):
    dead = closed_port_url()
    with FakeLLMServer({"generator": ["ok"]}, latency_s=0.02) as a, FakeLLMServer({"generator": ["ok"]}, latency_s=0.02) as b:
        client = _client([dead, a.api_base, b.api_base])
        results = _many(client, 30)
        served = len(a.requests), len(b.requests)
    assert all(r.error is None for r in results) and sum(served) == 30 and min(served) >= 8
    assert client.router.deployments[0].calls == 0  # cooled down by the preflight, never routed to
    assert dead in capsys.readouterr().err


def test_per_deployment_concurrency_is_held_and_calls_queue_instead_of_failing():
    with FakeLLMServer({"generator": ["ok"]}, latency_s=0.1) as a, FakeLLMServer({"generator": ["ok"]}, latency_s=0.1) as b:
        results = _many(_client([a.api_base, b.api_base]), 24)
        assert a.max_in_flight <= 4 and b.max_in_flight <= 4
        assert a.max_in_flight == 4 and b.max_in_flight == 4
    assert all(r.error is None for r in results)


def test_a_fallback_of_a_higher_order_is_used_only_while_the_first_cools_down():
    with FakeLLMServer({"generator": ["primary"]}) as primary, FakeLLMServer({"generator": ["fallback"]}) as fallback:
        deployments = [DeploymentConfig(api_base=primary.api_base), DeploymentConfig(api_base=fallback.api_base, order=1)]
        client = LLMClient(LLMConfig(model="openai/fake-model", api_key="test", deployments=deployments, preflight=False))
        first = _many(client, 5)
        assert fallback.requests == []
    with FakeLLMServer({"generator": [{"status": 500}]}) as primary, FakeLLMServer({"generator": ["fallback"]}) as fallback:
        deployments = [DeploymentConfig(api_base=primary.api_base), DeploymentConfig(api_base=fallback.api_base, order=1)]
        client = LLMClient(LLMConfig(model="openai/fake-model", api_key="test", deployments=deployments,
                                     max_retries=3, retry_backoff_s=0.01, cooldown_after=1))
        later = asyncio.run(client.complete("s", MESSAGES))
    assert {r.text for r in first} == {"primary"} and later.text == "fallback"


def test_every_deployment_dead_stops_the_run_at_preflight():
    client = _client([closed_port_url(), closed_port_url()])
    with pytest.raises(LLMFatalError, match="every deployment"):
        asyncio.run(client.preflight())


def test_keys_come_from_named_environment_variables_and_never_reach_the_run_files(tmp_run, monkeypatch):
    monkeypatch.delenv("APIGEN_TEST_KEY", raising=False)
    with pytest.raises(ConfigError, match="APIGEN_TEST_KEY"):
        LLMClient(LLMConfig(model="openai/m", deployments=[DeploymentConfig(api_base="http://x", api_key_env="APIGEN_TEST_KEY")]))
    secret = "sk-very-secret-123"
    with FakeLLMServer({"generator": [{"status": 401, "body": {"error": {"message": f"bad key {secret}"}}}]}) as server:
        monkeypatch.setenv("APIGEN_TEST_KEY", secret)
        deployments = [DeploymentConfig(api_base=server.api_base, api_key_env="APIGEN_TEST_KEY")]
        client = LLMClient(LLMConfig(model="openai/fake-model", deployments=deployments, preflight=False))
        with pytest.raises(LLMFatalError) as raised:
            asyncio.run(client.complete("s", MESSAGES))
    assert secret not in str(raised.value) and "<redacted>" in str(raised.value)


def test_the_ready_router_config_composes_and_a_run_completes_over_three_servers_one_failing(tmp_run):
    cfg = compose_config(["llm=router"])
    assert len(cfg.llm.deployments) >= 2 and all(d.api_key_env is None or d.api_key_env.isupper() for d in cfg.llm.deployments)
    with FakeLLMServer({"generator": ['{"pairs": []}']}) as a, FakeLLMServer({"generator": ['{"pairs": []}']}) as b, \
            FakeLLMServer({"generator": [{"status": 502}]}) as failing:
        deployments = ",".join(f"{{api_base: '{s.api_base}', max_concurrency: 2}}" for s in (a, failing, b))
        result = run_cli([*fake_llm_overrides(a), "llm=router", f"llm.deployments=[{deployments}]", "llm.api_key=test",
                          f"hydra.run.dir={tmp_run}", "num_samples=12", "concurrency=6", "verifier.stages=[format]"])
        served = len(a.requests), len(b.requests), len(failing.requests)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(read_jsonl(tmp_run / "candidates.jsonl")) == 12
    assert served[0] + served[1] == 12 and min(served[:2]) >= 3 and served[2] <= 3


def test_negative_limits_and_a_cooldown_after_zero_fail_at_start_up_naming_the_key():
    from apigen.config import validate

    for override in ("llm.max_concurrency=-1", "llm.cooldown_after=0", "llm.deployments=[{api_base: 'http://x', max_concurrency: -2}]"):
        with pytest.raises(ConfigError, match="max_concurrency >= 0"):
            validate(compose_config(["llm=openai_compatible", override]))
