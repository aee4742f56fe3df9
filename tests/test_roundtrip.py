"""The round-trip stage: a solver answers the query without seeing the calls, k times, against the
fake HTTP server, with the stage built from real Hydra composition."""

from __future__ import annotations

import asyncio
import json

import pytest

from apigen.build import build
from apigen.config import ConfigError
from apigen.records import Candidate, ToolCall
from apigen.verify.chain import StageContext

from conftest import compose_config, fake_llm_overrides
from fake_llm_server import FakeLLMServer, is_solver


def solver_router(request: dict) -> str:
    return "solver" if is_solver(request) else "generator"


def answer(*calls: tuple[str, dict]) -> str:
    return json.dumps({"calls": [{"name": n, "arguments": a} for n, a in calls]})


def stage_for(server: FakeLLMServer, overrides: list[str] = ()):  # type: ignore[assignment]
    cfg = compose_config(fake_llm_overrides(server.api_base)
                         + ["llm.max_retries=0", "verifier.stages=[format,roundtrip]", *overrides])
    return build(cfg).chain.stage("roundtrip")


CONVERT = Candidate("c-0", "s", 0, "simple", ("convert_temperature", "is_prime"), "Convert 25 degrees Celsius to Fahrenheit.",
                    (ToolCall("convert_temperature", {"value": 25, "from_unit": "C", "to_unit": "F"}),))


def check(stage, candidate: Candidate = CONVERT):
    context = StageContext()
    verdict = asyncio.run(stage.check(candidate, context))
    return verdict, context


def test_matching_answer_passes_and_usage_is_counted():
    reply = answer(("convert_temperature", {"value": 25.0, "from_unit": "c", "to_unit": "F"}))
    with FakeLLMServer({"solver": [reply], "generator": ["{}"]}, router=solver_router) as server:
        verdict, context = check(stage_for(server))
    assert verdict.passed and verdict.detail == "2/2 solver answers match"
    assert verdict.data["matches"] == [True, True]
    assert context.usage["roundtrip"].calls == 2


def test_a_value_the_query_does_not_state_is_rejected_with_the_solvers_calls():
    wrong = Candidate("c-1", "s", 0, "simple", ("convert_temperature", "is_prime"), "Convert 25 degrees Celsius to Fahrenheit.",
                      (ToolCall("convert_temperature", {"value": 52, "from_unit": "C", "to_unit": "F"}),))
    reply = answer(("convert_temperature", {"value": 25, "from_unit": "C", "to_unit": "F"}))
    with FakeLLMServer({"solver": [reply], "generator": ["{}"]}, router=solver_router) as server:
        verdict, _ = check(stage_for(server), wrong)
        # the solver never sees the candidate's calls: their wrong value is in no request
        assert all("52" not in json.dumps(r["messages"]) for r in server.requests)
    assert (verdict.passed, verdict.reason) == (False, "solver_disagrees")
    assert "0/2 solver answers match" in verdict.detail and '"value": 25' in verdict.detail
    assert verdict.data["reasons"] == ["value_mismatch", "value_mismatch"]


def test_min_agree_of_k_and_per_answer_temperatures():
    right = answer(("convert_temperature", {"value": 25, "from_unit": "C", "to_unit": "F"}))
    other = answer(("is_prime", {"n": 25}))
    overrides = ["verifier.roundtrip.k=3", "verifier.roundtrip.min_agree=2", "verifier.roundtrip.solver.temperature=0.9"]
    with FakeLLMServer({"solver": [right, other, right], "generator": ["{}"]}, router=solver_router) as server:
        verdict, _ = check(stage_for(server, overrides))
        temperatures = sorted(r["temperature"] for r in server.routed("solver"))
    assert verdict.passed and verdict.data["matches"].count(True) == 2
    assert temperatures == [0.0, 0.9, 0.9]  # the first answer is greedy, the others sampled
    with FakeLLMServer({"solver": [right, other, other], "generator": ["{}"]}, router=solver_router) as server:
        verdict, _ = check(stage_for(server, overrides))
    assert (verdict.passed, verdict.reason) == (False, "solver_disagrees")
    assert "1/3 solver answers match (need 2)" in verdict.detail and "function_mismatch" in verdict.data["reasons"]


def test_no_usable_answer_is_a_solver_error_not_a_disagreement():
    with FakeLLMServer({"solver": [{"status": 500}], "generator": ["{}"]}, router=solver_router) as server:
        verdict, _ = check(stage_for(server))
    assert (verdict.passed, verdict.reason) == (False, "solver_error")
    with FakeLLMServer({"solver": ["not json"], "generator": ["{}"]}, router=solver_router) as server:
        verdict, _ = check(stage_for(server))
    assert (verdict.passed, verdict.reason) == (False, "solver_error") and "not JSON" in verdict.detail


def test_the_k_answers_are_asked_concurrently():
    reply = answer(("convert_temperature", {"value": 25, "from_unit": "C", "to_unit": "F"}))
    with FakeLLMServer({"solver": [reply], "generator": ["{}"]}, router=solver_router, latency_s=0.3) as server:
        check(stage_for(server, ["verifier.roundtrip.k=3"]))
    assert server.max_in_flight == 3


def test_solver_model_is_configurable_and_resolved_over_llm():
    reply = answer(("convert_temperature", {"value": 25, "from_unit": "C", "to_unit": "F"}))
    with FakeLLMServer({"solver": [reply], "generator": ["{}"]}, router=solver_router) as server:
        verdict, _ = check(stage_for(server, ["verifier.roundtrip.solver.model=openai/solver-model"]))
    assert verdict.passed and {r["model"] for r in server.requests} == {"solver-model"}


def test_constrained_answers_offer_only_the_candidates_functions_and_its_call_count():
    with FakeLLMServer({"solver": ["{}"], "generator": ["{}"]}, router=solver_router) as server:
        stage = stage_for(server)
    schema = stage.schema(CONVERT)["properties"]["calls"]
    names = [v["properties"]["name"]["const"] for v in schema["items"]["anyOf"]]
    assert names == ["convert_temperature", "is_prime"] and (schema["minItems"], schema["maxItems"]) == (1, 1)
    parallel = Candidate("c", "s", 0, "parallel", ("is_prime",), "q", ())
    assert stage.schema(parallel)["properties"]["calls"]["minItems"] == 2


def test_every_catalog_function_gives_a_grammar_the_embedded_engine_accepts():
    import llama_cpp  # installed by scripts/setup.sh

    with FakeLLMServer({"solver": ["{}"], "generator": ["{}"]}, router=solver_router) as server:
        stage = stage_for(server)
    for spec in stage.catalog.specs:
        candidate = Candidate("c", "s", 0, "parallel", (spec.name,), "q", ())
        llama_cpp.LlamaGrammar.from_json_schema(json.dumps(stage.schema(candidate)), verbose=False)


def test_min_agree_above_k_fails_at_start():
    with pytest.raises(ConfigError, match="verifier.roundtrip"):
        build(compose_config(fake_llm_overrides("http://127.0.0.1:9/v1")
                             + ["verifier.roundtrip.k=2", "verifier.roundtrip.min_agree=3"]))
