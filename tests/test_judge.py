"""Stage 3: committee, votes, threshold, retries and error reasons, against the fake HTTP server,
with the judge built from real Hydra composition."""

from __future__ import annotations

import asyncio
import json

import pytest
from hydra.errors import ConfigCompositionException
from omegaconf.errors import ConfigKeyError

from apigen.build import build
from apigen.records import Candidate, ExecutionResult, ToolCall
from apigen.verify.chain import StageContext

from conftest import compose_config, fake_llm_overrides
from conftest import judge as judge_reply
from fake_llm_server import FakeLLMServer, is_judge


def by_model(request: dict) -> str:
    return request["model"] if is_judge(request) else "generator"


def judge_for(server: FakeLLMServer, overrides: list[str]):
    # No transport-level retries here: these tests count the judge's own retries.
    cfg = compose_config(fake_llm_overrides(server.api_base) + ["llm.max_retries=0", "sampler=simple_only"] + overrides)
    return build(cfg).chain.stage("semantic")


def judge(judge, api_name: str = "is_prime"):
    candidate = Candidate("c-0", "s", 0, "simple", (api_name,), "Is 5 prime?", (ToolCall(api_name, {"n": 5}),))
    return asyncio.run(judge.judge(candidate, (ExecutionResult(True, result=True, name=api_name),)))


def test_committee_pools_the_votes_of_different_models():
    scripts = {"judge-a": [judge_reply(True)], "judge-b": [judge_reply(False, "wrong numbers")], "generator": ["{}"]}
    committee = "verifier.semantic.committee=[{model: openai/judge-a}, {model: openai/judge-b, votes: 2}]"
    with FakeLLMServer(scripts, router=by_model) as server:
        lenient = judge_for(server, [committee, "verifier.semantic.pass_threshold=0.3"])
        verdict, completions = judge(lenient)
        assert verdict.passed and verdict.data["judges"] == ["openai/judge-a", "openai/judge-b", "openai/judge-b"]
        assert verdict.data["votes"] == [True, False, False] and len(completions) == 3
        strict = judge_for(server, [committee, "verifier.semantic.pass_threshold=0.5"])
        verdict, _ = judge(strict)
        assert (verdict.passed, verdict.reason) == (False, "judge_rejected")
        assert "1/3 votes passed" in verdict.detail and "wrong numbers" in verdict.detail
    # members inherit unset keys (api_base, temperature) from the judge group
    assert {r["model"] for r in server.requests} == {"judge-a", "judge-b"}
    assert all(r["temperature"] == 0.0 for r in server.requests)


def test_committee_members_are_typed():
    with pytest.raises(ConfigCompositionException, match="verifier.semantic.committee") as failure:
        compose_config(fake_llm_overrides("http://127.0.0.1:9/v1") + ["verifier.semantic.committee=[{modle: openai/x}]"])
    assert isinstance(failure.value.__cause__, ConfigKeyError) and "modle" in str(failure.value.__cause__)


def test_unparseable_reply_is_retried_then_reported():
    with FakeLLMServer({"judge": ["not json at all", judge_reply(True)], "generator": ["{}"]}) as server:
        verdict, completions = judge(judge_for(server, ["verifier.semantic.retries=1"]))
        assert verdict.passed and verdict.data["attempts"] == 2 and len(completions) == 2
    with FakeLLMServer({"judge": ["not json at all", "{\"thought\": \"no verdict\"}"], "generator": ["{}"]}) as server:
        verdict, _ = judge(judge_for(server, ["verifier.semantic.retries=1"]))
        assert (verdict.passed, verdict.reason) == (False, "judge_unparseable")
        assert len(server.routed("judge")) == 2


def test_failed_judge_calls_are_retried_then_reported_as_judge_error():
    with FakeLLMServer({"judge": [{"status": 503}], "generator": ["{}"]}) as server:
        # 6 failed calls in a row would stop a run (llm.max_consecutive_failures); 0 switches that off here.
        verdict, completions = judge(judge_for(server, ["verifier.semantic.retries=2", "verifier.semantic.votes=2",
                                                        "llm.max_consecutive_failures=0"]))
        assert (verdict.passed, verdict.reason) == (False, "judge_error")
        assert len(server.routed("judge")) == 6 and all(c.error for c in completions)  # 2 votes x (1 + 2 retries)
        assert verdict.retry  # the calls failed after retries: a rerun asks the judge again


def test_threshold_counts_unreadable_votes_against_the_candidate():
    replies = [judge_reply(True), "garbage", judge_reply(True)]
    with FakeLLMServer({"judge": replies, "generator": ["{}"]}) as server:
        verdict, _ = judge(judge_for(server, ["verifier.semantic.votes=2", "verifier.semantic.retries=0"]))
        assert (verdict.passed, verdict.reason) == (False, "judge_unparseable")  # 1/2 < 1.0 and nobody said no
        # The votes are asked concurrently, so which seat the fake server's "garbage" reaches varies.
        assert sorted(verdict.data["votes"], key=str) == [None, True]


def test_a_failed_check_overrides_a_passing_verdict_and_plain_replies_still_read():
    from apigen.records import Completion
    from apigen.verify.semantic import read_judgement

    def reply(**data):
        return Completion(sample_id="s", text=json.dumps(data), finish_reason="stop")

    checks = {"calls_fit_request": True, "values_from_query": True, "results_answer_request": True}
    assert read_judgement(reply(**checks, thought="fine", passed=True)) == (True, "fine")
    passed, thought = read_judgement(reply(**{**checks, "calls_fit_request": False}, thought="hm", passed=True))
    assert passed is False and "calls_fit_request" in thought
    assert read_judgement(reply(thought="ok", passed=True)) == (True, "ok")
    assert read_judgement(reply(**checks, thought="no", passed=False))[0] is False
    assert read_judgement(reply(**checks, thought="?"))[0] is None


def test_the_stage_reads_results_from_the_context_and_adds_its_usage():
    with FakeLLMServer({"judge": [judge_reply(True)], "generator": ["{}"]}) as server:
        stage = judge_for(server, [])
        candidate = Candidate("c-0", "s", 0, "simple", ("is_prime",), "Is 5 prime?", (ToolCall("is_prime", {"n": 5}),))
        context = StageContext(executions=(ExecutionResult(True, result=True, name="is_prime"),))
        verdict = asyncio.run(stage.check(candidate, context))
        prompt = server.routed("judge")[0]["messages"][-1]["content"]
    assert verdict.passed and verdict.stage == "semantic"
    assert '"result": true' in prompt and "duration" not in prompt
    assert context.usage["semantic"].calls == 1 and context.usage["semantic"].prompt_tokens == 10


def test_committee_votes_are_asked_concurrently():
    committee = "verifier.semantic.committee=[{model: openai/judge-a, votes: 2}, {model: openai/judge-b}]"
    scripts = {"judge-a": [judge_reply(True)], "judge-b": [judge_reply(True)], "generator": ["{}"]}
    with FakeLLMServer(scripts, router=by_model, latency_s=0.4) as server:
        verdict, completions = judge(judge_for(server, [committee]))
    assert verdict.passed and len(completions) == 3
    assert server.max_in_flight == 3  # one after another, at most one would be in flight


def test_the_judge_is_shown_the_values_grounding_could_not_trace():
    with FakeLLMServer({"judge": [judge_reply(True)], "generator": ["{}"]}) as server:
        cfg = compose_config(fake_llm_overrides(server.api_base) + ["verifier.stages=[format,grounding,semantic]",
                                                                 "verifier.grounding.mode=flag"])
        chain = build(cfg).chain
        invented = Candidate("c-0", "s", 0, "simple", ("is_prime",), "Is my lucky number prime?", (ToolCall("is_prime", {"n": 7}),))
        stated = Candidate("c-1", "s", 0, "simple", ("is_prime",), "Is 7 prime?", (ToolCall("is_prime", {"n": 7}),))
        for candidate in (invented, stated):
            asyncio.run(chain.verify(candidate, 0, 0))
        prompts = [r["messages"][-1]["content"] for r in server.routed("judge")]
    assert "do not appear in the query" in prompts[0] and "- call 0 is_prime.n: [7]" in prompts[0]
    assert "do not appear in the query" not in prompts[1]
