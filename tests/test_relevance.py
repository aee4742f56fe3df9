"""Derived relevance rows (irrelevance, missing_parameter): made from verified rows, verified
themselves, exported with no call; through the real CLI against the fake HTTP server."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from datasets import load_from_disk

from apigen.catalog import load_catalog
from apigen.config import ConfigError, validate
from apigen.records import Candidate, ToolCall
from apigen.verify.format import FormatChecker

from catalog_replies import catalog_generator
from conftest import TEST_DATA, FakeLLMServer, compose_config, fake_llm_overrides, judge, pairs, read_jsonl, run_cli
from fake_llm_server import drop_value, rewrite_parts, solver_query, solver_tools

CALC = TEST_DATA / "calc_catalog.py"


def calc_generator(request: dict) -> str:
    """Two pairs per prompt, for whichever calc function it offers: a plain one, and one marked
    STUCK (the scripts below make its derived rows fail)."""
    prompt = request["messages"][-1]["content"]
    seen = calc_generator.count = getattr(calc_generator, "count", 0) + 1  # type: ignore[attr-defined]
    n = 10 + 7 * seen
    if '"name": "divide"' in prompt:
        return pairs((f"What is {n} divided by 4?", [("divide", {"a": n, "b": 4})]),
                     (f"STUCK: what is {n + 1} divided by 8?", [("divide", {"a": n + 1, "b": 8})]))
    return pairs((f"Round {n}.25 to 1 digit.", [("round_number", {"value": n + 0.25, "digits": 1})]),
                 (f"STUCK: round {n}.75 to 1 digit.", [("round_number", {"value": n + 0.75, "digits": 1})]))


def solver(request: dict) -> str:
    """Agrees with the generator on base rows; on a STUCK irrelevance row it calls a remaining tool."""
    query, offered = solver_query(request), solver_tools(request)
    generated = SERVED.get(query, [])
    calls = [c for c in generated if c["name"] in offered]
    if query.startswith("STUCK") and not calls and "round_number" in offered:
        calls = [{"name": "round_number", "arguments": {"value": 3.5}}]
    return json.dumps({"calls": calls})


def rewrite(request: dict) -> str:
    """Drops the value, except on STUCK rows, where the value stays in the query."""
    query, _, _ = rewrite_parts(request)
    if query.startswith("STUCK"):
        return json.dumps({"query": query.replace("STUCK: ", "STUCK "), "question": "Which one?"})
    return drop_value(request)


SERVED: dict[str, list] = {}


def remember(request: dict) -> str:
    reply = calc_generator(request)
    for pair in json.loads(reply)["pairs"]:
        SERVED[pair["query"]] = pair["answers"]
    return reply


def _run(tmp_run, server, *extra: str):
    return run_cli([*fake_llm_overrides(server), f"hydra.run.dir={tmp_run}", f"catalog.paths=[{CALC}]", "sampler=simple_only",
                    "sampler.styles.irrelevance=1", "sampler.styles.missing_parameter=1", "num_samples=9", "concurrency=1",
                    "output.formats=[json]", *extra])


def test_derived_rows_are_verified_kept_with_no_call_and_rejected_with_their_own_reasons(tmp_run):
    scripts = {"generator": remember, "solver": solver, "rewrite": rewrite, "judge": [judge(True)]}
    with FakeLLMServer(scripts) as server:
        result = _run(tmp_run, server, "derive.missing_parameter_answer=clarify")
        relevance_prompts = [r for r in server.routed("solver") if "make no call" in r["messages"][0]["content"]]
    assert result.returncode == 0, result.stderr[-3000:]

    samples = read_jsonl(tmp_run / "candidates.jsonl")
    derive = Counter(s["request"]["derive"] for s in samples)  # a third of the samples each, to within one sample
    assert set(derive) == {"", "irrelevance", "missing_parameter"} and all(2 <= n <= 4 for n in derive.values())
    outcomes = read_jsonl(tmp_run / "verdicts.jsonl")
    by = {(o["example"]["style"] if o["kept"] else o["reason"]) for o in outcomes}
    assert {"simple", "irrelevance", "missing_parameter", "tool_still_serves", "value_still_in_query"} <= by

    kept = {o["candidate_id"]: o["example"] for o in outcomes if o["kept"]}
    irrelevance = [e for e in kept.values() if e["style"] == "irrelevance"]
    missing = [e for e in kept.values() if e["style"] == "missing_parameter"]
    assert irrelevance and missing
    for row in irrelevance:  # the function the query needs is gone; a distractor from the catalog is offered
        source = next(c for s in samples for c in s["candidates"] if row["candidate_id"].startswith(c["candidate_id"] + "~"))
        called = {c["name"] for c in source["calls"]}
        assert row["answers"] == [] and row["query"] == source["query"]
        assert row["tools"] and not called & {t["name"] for t in row["tools"]}
    for row in missing:  # the value is gone from the query; clarify mode: the assistant asks for it
        verdict = next(o for o in outcomes if o["kept"] and o["example"] is row)["verdicts"][-1]
        removed = verdict["data"]["removed"]
        assert row["answers"] == [] and row["assistant_text"] == f"Which {removed['argument']} should I use?"
        shown = str(removed["value"]).removesuffix(".0")
        assert shown not in row["query"] and row["query"] == verdict["data"]["rewrite"]["query"]

    # A remaining tool serves the query: rejected, the solver's call in the detail.
    served = next(o for o in outcomes if o["reason"] == "tool_still_serves")
    assert served["stage"] == "relevance" and "round_number" in served["detail"]
    assert [v["stage"] for v in served["verdicts"]][-2:] == ["semantic", "relevance"]  # the source passed every stage
    # The rewrite left the value in the query: rejected before any solver call.
    still = next(o for o in outcomes if o["reason"] == "value_still_in_query")
    assert still["stage"] == "relevance" and still["verdicts"][-1]["data"]["removed"]["value"] is not None
    # The relevance solver is offered only the remaining tools on irrelevance rows (their query is the source's).
    irrelevance_prompts = [r for r in relevance_prompts if solver_query(r) in SERVED]
    assert irrelevance_prompts and all(not {c["name"] for c in SERVED[solver_query(r)]} & set(solver_tools(r))
                                       for r in irrelevance_prompts)

    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert manifest["verifier"]["stages"][-1] == "relevance"
    assert manifest["counts"]["failed_relevance"] == sum(1 for o in outcomes if o["stage"] == "relevance")
    assert manifest["reasons"]["relevance"]["tool_still_serves"] >= 1
    dataset = load_from_disk(str(tmp_run / "dataset"))
    assert sum(1 for row in dataset if row["answers"] == "[]") == len(irrelevance) + len(missing)


def test_the_format_stage_accepts_no_call_for_derived_styles_only():
    checker = FormatChecker(load_catalog([str(CALC)]))
    no_call = {style: Candidate("c", "s", 0, style, ("divide",), "What is the weather in Paris?")
               for style in ("simple", "parallel", "irrelevance", "missing_parameter")}
    assert checker.verdict(no_call["simple"]).reason == "no_calls"
    assert checker.verdict(no_call["parallel"]).reason == "no_calls"
    assert checker.verdict(no_call["irrelevance"]).passed
    assert checker.verdict(no_call["missing_parameter"]).passed
    with_call = Candidate("c", "s", 0, "irrelevance", ("divide",), "What is 1 divided by 2?", (ToolCall("divide", {"a": 1, "b": 2}),))
    assert checker.verdict(with_call).reason == "call_count_mismatch"


def test_each_derived_style_share_of_kept_rows_matches_the_config_within_two_points(tmp_run):
    """The diverse experiment (10% irrelevance, 10% missing_parameter) on a generator whose rows all
    pass, so the shares measure the style sampler and the derivation. Queries per call are fixed
    here: how many rows a sample yields is another random draw, which the benchmark
    (benchmarks/bench_derived_share.py, 400 samples) measures with the experiment's own setting."""
    catalog = load_catalog(["builtin:api_catalog"])
    with FakeLLMServer({"generator": catalog_generator(catalog), "judge": [judge(True)]}) as server:
        result = run_cli([*fake_llm_overrides(server), "+experiment=diverse", "num_samples=80", "concurrency=8",
                          "sampler.queries_per_call={min: 2, max: 2}", f"hydra.run.dir={tmp_run}"])
    assert result.returncode == 0, result.stderr[-3000:]
    kept = Counter(o["example"]["style"] for o in read_jsonl(tmp_run / "verdicts.jsonl") if o["kept"])
    total = sum(kept.values())
    assert total >= 150
    for style in ("irrelevance", "missing_parameter"):
        assert abs(100 * kept[style] / total - 10.0) <= 2.0, (style, kept)


def test_config_errors_name_the_key():
    remote = ["llm=openai_compatible", "llm.api_base=http://127.0.0.1:9/v1", "llm.model=openai/fake-model"]
    cases = [
        (["sampler.styles={simple: 0, multiple: 0, parallel: 1, parallel_multiple: 0, missing_parameter: 1}"], "simple or multiple"),
        (["sampler.styles={simple: 0, multiple: 0, parallel: 0, parallel_multiple: 0, irrelevance: 1}"], "base style"),
        (["verifier.stages=[format,relevance,dedup]"], "'relevance' must be the last stage"),
        (["derive.missing_parameter_answer=ask"], "derive.missing_parameter_answer"),
        (["sampler.feedback.share=1.5"], "sampler.feedback"),
    ]
    for overrides, message in cases:
        with pytest.raises(ConfigError, match=message):
            validate(compose_config([*remote, *overrides]))
