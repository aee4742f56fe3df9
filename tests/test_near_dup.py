"""The near_dup and decontaminate stages: what they reject and what they let through, the exact
index behind near_dup, the planted-row figures on a small scale, the config keys and the report."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter

import pytest

from apigen.bfcl.data import all_questions
from apigen.calibrate.planted import Row, catalog_rows, measure_decontaminate, measure_near_dup, seed_rows
from apigen.config import DEFAULT_STAGES, ConfigError, DecontaminateVerifierConfig, NearDupVerifierConfig, validate
from apigen.records import Candidate, Example, ToolCall
from apigen.report import overlap_statistics, render_duplicates_markdown
from apigen.verify.chain import StageContext
from apigen.verify.decontaminate import DecontaminateStage, bfcl_index
from apigen.verify.near_dup import NearDupIndex, NearDupStage, shingles

from conftest import TEST_DATA, FakeLLMServer, compose_config, fake_llm_overrides, judge, pairs, read_jsonl, run_cli

NEAR = NearDupVerifierConfig.threshold
OVERLAP = DecontaminateVerifierConfig.threshold


def cand(cid: str, query: str, calls: tuple[ToolCall, ...]) -> Candidate:
    return Candidate(cid, "s", 0, "simple", tuple(c.name for c in calls), query, calls)


TRANSLATE = (ToolCall("translate_text", {"text": "good morning", "target_language": "es"}),)
MORTGAGE = (ToolCall("mortgage_payment", {"principal": 300000, "annual_rate_percent": 6.5, "years": 30}),
            ToolCall("cagr", {"start_value": 1000, "end_value": 2000, "years": 5}))


def check(stage, candidate: Candidate):
    return asyncio.run(stage.check(candidate, StageContext()))


def test_near_duplicates_are_rejected_naming_the_example_and_the_similarity():
    stage = NearDupStage(NEAR)
    first = cand("c-1", "Translate 'good morning' into Spanish for my trip.", TRANSLATE)
    assert check(stage, first).passed
    stage.settle(first, kept=True)
    # The cases: another language name; the same two-part question with other numbers.
    other_language = check(stage, cand("c-2", "Translate 'good morning' into German for my trip.", TRANSLATE))
    assert (other_language.passed, other_language.stage, other_language.reason) == (False, "near_dup", "near_duplicate")
    assert "c-1" in other_language.detail and "Translate 'good morning' into Spanish" in other_language.detail
    assert other_language.data["duplicate_of"] == "c-1" and NEAR <= other_language.data["similarity"] < 1
    mortgage = cand("c-3", "What is the monthly payment on a 300000 loan at 6.5% for 30 years, and the CAGR from 1000 to 2000 in 5 years?", MORTGAGE)
    assert check(stage, mortgage).passed
    stage.settle(mortgage, kept=True)
    again = check(stage, cand("c-4", "what is the monthly payment on a 450000 loan at 7.1% for 15 years, and the cagr from 50 to 80 in 3 years?", MORTGAGE))
    assert not again.passed and again.data["duplicate_of"] == "c-3"
    reordered = check(stage, cand("c-5", "And the CAGR from 1000 to 2000 in 5 years: what is the monthly payment on a 300000 loan at 6.5% for 30 years?", MORTGAGE))
    assert not reordered.passed and reordered.data["duplicate_of"] == "c-3"


def test_distinct_queries_pass_even_with_the_same_function_or_alike_words():
    stage = NearDupStage(NEAR)
    rows = [cand("c-1", "Translate 'good morning' into Spanish.", TRANSLATE),
            cand("c-2", "How do you say 'where is the train station' in Japanese?", TRANSLATE),
            # alike words, other functions: an encoder and its decoder
            cand("c-3", "Encode the text 'hello world' as Morse code.", (ToolCall("morse_encode", {"text": "hello world"}),)),
            cand("c-4", "Decode the Morse code '.... ..' to text.", (ToolCall("morse_decode", {"code": ".... .."}),))]
    for row in rows:
        verdict = check(stage, row)
        assert verdict.passed, verdict.detail
        stage.settle(row, kept=True)


def test_a_claim_is_released_when_its_candidate_fails_later_and_kept_examples_are_restored():
    stage = NearDupStage(NEAR)
    first = cand("c-1", "Translate 'good morning' into Spanish for my trip.", TRANSLATE)
    near = cand("c-2", "Translate 'good morning' into French for my trip.", TRANSLATE)
    assert check(stage, first).passed
    assert not check(stage, near).passed  # c-1 is still being verified: its claim holds
    stage.settle(first, kept=False)  # c-1 failed a later stage: the place is free again
    assert check(stage, near).passed
    restored = NearDupStage(NEAR)
    restored.restore(Example("c-1", "s", first.query, (), TRANSLATE))
    verdict = check(restored, near)
    assert not verdict.passed and verdict.data["duplicate_of"] == "c-1"


def test_the_index_finds_what_a_full_scan_finds():
    """Prefix filtering is exact: for random feature sets the index answers as comparing with every row."""
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(12)]
    index = NearDupIndex(0.5)
    rows: list[list[int]] = []
    found = 0
    for _ in range(400):
        query = " ".join(rng.choice(vocabulary) for _word in range(rng.randint(2, 7)))
        ranked = shingles(query, (ToolCall(f"f{rng.randint(0, 1)}", {"a": 1}),), skeleton_weight=1)
        scan = [(len(set(ranked) & set(r)) / len(set(ranked) | set(r)), -n) for n, r in enumerate(rows)]
        best = max((s for s in scan if s[0] >= 0.5), default=None)
        match = index.nearest(ranked)
        assert (match is None) == (best is None)
        if match is not None and best is not None:
            assert (match.label, match.similarity) == (f"r{-best[1]}", round(best[0], 4))
            found += 1
        index.add(ranked, f"r{len(rows)}", query)
        rows.append(ranked)
    assert found > 20  # the comparison saw matches, not only misses


def test_planted_near_duplicates_are_caught_without_false_hits():
    figures = measure_near_dup(seed_rows() + catalog_rows()[:80], NEAR, seed=3)
    assert figures.caught == figures.planted > 200, figures.missed[:5]
    assert {"numbers", "names", "language", "order", "case", "polite"} <= set(figures.by_edit)
    assert figures.false_hits == []


def test_planted_bfcl_questions_are_caught_without_false_hits_on_the_seeds():
    questions = random.Random(1).sample(all_questions(), 300)
    figures = measure_decontaminate(questions, seed_rows() + catalog_rows(), OVERLAP, seed=1)
    assert figures.caught == figures.planted > 1000, figures.missed[:5]
    assert {"verbatim", "numbers", "case", "dropped_word", "polite"} <= set(figures.by_edit)
    assert figures.false_hits == []


def test_a_benchmark_overlap_names_the_bfcl_item_and_clean_queries_pass():
    stage = DecontaminateStage(bfcl_index(), OVERLAP)
    item_id, question = next((i, q) for i, q in all_questions() if i == "simple_python_0")
    edited = question.replace("10", "12").upper()
    verdict = check(stage, cand("c-1", edited, TRANSLATE))
    assert (verdict.passed, verdict.stage, verdict.reason) == (False, "decontaminate", "benchmark_overlap")
    assert "simple_python_0" in verdict.detail and verdict.data["item_id"] == item_id
    assert verdict.data["query"] == edited and verdict.data["overlap"] >= OVERLAP
    for row in seed_rows():
        assert check(stage, cand("c-2", row.query, row.calls)).passed
    # A very short question ("thanks") matches only a query of the same words, not one holding them.
    assert not check(stage, cand("c-3", "Thanks", TRANSLATE)).passed
    assert check(stage, cand("c-4", "Thanks, and what does the word serendipity mean in plain English?", TRANSLATE)).passed


@pytest.mark.parametrize("key", ["near_dup", "decontaminate"])
@pytest.mark.parametrize("value", [0, 1.5])
def test_thresholds_outside_zero_to_one_fail_naming_the_key(key, value):
    cfg = compose_config([f"verifier.{key}.threshold={value}"])
    with pytest.raises(ConfigError, match=rf"verifier\.{key}\.threshold: must be in \(0, 1\]"):
        validate(cfg)


def test_the_default_chain_has_both_stages_after_dedup():
    stages = compose_config([]).verifier.stages
    assert stages.index("dedup") < stages.index("near_dup") < stages.index("decontaminate") < stages.index("execution")
    assert compose_config(["verifier=with_judge"]).verifier.stages[:4] == ["format", "dedup", "near_dup", "decontaminate"]


def test_the_report_counts_duplicates_and_lists_overlap_matches():
    rejected = Counter({("dedup", "duplicate_query"): 2, ("near_dup", "near_duplicate"): 3, ("decontaminate", "benchmark_overlap"): 1})
    data = overlap_statistics(rejected, [{"query": "Find the area | of a triangle", "benchmark": "BFCL", "item_id": "simple_python_0",
                                          "question": "Find the area of a triangle ...", "overlap": 0.9}])
    assert data["counts"] == {"duplicate_query": 2, "near_duplicate": 3, "benchmark_overlap": 1}
    text = render_duplicates_markdown({"duplicates": data, "verifier": {"stages": ["format", "dedup", "near_dup"]}})
    assert "near-duplicates (`near_dup`, `near_duplicate`): 3" in text
    assert "BFCL overlaps (`decontaminate`, `benchmark_overlap`): 1 (stage not in the chain: not checked)" in text
    assert "| Find the area \\| of a triangle | BFCL `simple_python_0` | 90.0% |" in text


def test_planted_rows_keep_their_calls():
    row = Row("r", "Give me the population of Canada, Mexico and Brazil.", (ToolCall("pop", {"country": "Canada"}),))
    figures = measure_near_dup([row], NEAR)
    assert figures.planted >= 3 and figures.caught == figures.planted


GOOD = "What is 10 divided by 4?"
NEAR_COPY = "WHAT IS 12 DIVIDED BY 5?"  # other numbers, another case
BENCHMARK = "Find the area of a triangle with a base of 12 units and height of 7 units."  # simple_python_0, other numbers
LATER_COPY = "what is 20 divided by 8?"


# The with_judge chain, near_dup included (fake_llm_overrides leaves it out).
WITH_JUDGE = f"verifier.stages=[{','.join(DEFAULT_STAGES)},semantic]"


def _run_cli(server, run_dir, samples: int):
    return run_cli([*fake_llm_overrides(server), WITH_JUDGE, f"hydra.run.dir={run_dir}", f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]",
                    "catalog.apis=[divide]", "sampler=simple_only", f"num_samples={samples}", "concurrency=1"])


def test_a_run_rejects_a_near_duplicate_and_a_bfcl_question_and_reports_them_also_after_a_resume(tmp_run):
    generator = [pairs((GOOD, [("divide", {"a": 10, "b": 4})])), pairs((NEAR_COPY, [("divide", {"a": 12, "b": 5})])),
                 pairs((BENCHMARK, [("divide", {"a": 12, "b": 7})]))]
    with FakeLLMServer({"generator": generator, "judge": [judge(True)]}) as server:
        result = _run_cli(server, tmp_run, 3)
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = {o["candidate_id"]: o for o in read_jsonl(tmp_run / "verdicts.jsonl")}
    by_query = {c["query"]: outcomes[c["candidate_id"]] for s in read_jsonl(tmp_run / "candidates.jsonl") for c in s["candidates"]}
    good_id = by_query[GOOD]["candidate_id"]
    assert by_query[GOOD]["kept"]
    near = by_query[NEAR_COPY]
    assert (near["stage"], near["reason"]) == ("near_dup", "near_duplicate") and good_id in near["detail"]
    overlap = by_query[BENCHMARK]
    assert (overlap["stage"], overlap["reason"]) == ("decontaminate", "benchmark_overlap")
    assert "simple_python_0" in overlap["detail"]
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert manifest["counts"]["failed_near_dup"] == 1 and manifest["counts"]["failed_decontaminate"] == 1
    assert manifest["duplicates"]["overlap_matches"][0]["item_id"] == "simple_python_0"
    report = (tmp_run / "report.md").read_text()
    assert "near-duplicates (`near_dup`, `near_duplicate`): 1" in report
    assert "BFCL overlaps (`decontaminate`, `benchmark_overlap`): 1" in report
    assert f"| {BENCHMARK} | BFCL `simple_python_0` |" in report

    # Resumed with one more sample: the example kept before is indexed again, and the report still
    # lists the overlap found before.
    with FakeLLMServer({"generator": [pairs((LATER_COPY, [("divide", {"a": 20, "b": 8})]))], "judge": [judge(True)]}) as server:
        result = _run_cli(server, tmp_run, 4)
    assert result.returncode == 0, result.stderr[-3000:]
    later = next(o for o in read_jsonl(tmp_run / "verdicts.jsonl") if o["index"] == 3)
    assert (later["stage"], later["reason"]) == ("near_dup", "near_duplicate") and good_id in later["detail"]
    report = (tmp_run / "report.md").read_text()
    assert "near-duplicates (`near_dup`, `near_duplicate`): 2" in report
    assert f"| {BENCHMARK} | BFCL `simple_python_0` |" in report


def test_without_bfcl_data_the_run_stops_before_any_model_call_naming_the_install_command(tmp_path):
    # A bfcl_eval package without its data folder shadows the installed one (a broken install).
    (tmp_path / "shadow" / "bfcl_eval").mkdir(parents=True)
    (tmp_path / "shadow" / "bfcl_eval" / "__init__.py").write_text("")
    with FakeLLMServer({"generator": [pairs((GOOD, [("divide", {"a": 10, "b": 4})]))]}) as server:
        result = run_cli([*fake_llm_overrides(server), f"hydra.run.dir={tmp_path / 'run'}", "num_samples=1"],
                         env_changes={"PYTHONPATH": str(tmp_path / "shadow")})
        assert server.requests == [] and server.preflights == []
    assert result.returncode != 0
    error = result.stderr.strip().splitlines()
    assert error[-1].startswith("apigen: error: verifier.stages: 'decontaminate' needs BFCL's questions")
    assert "python -m apigen.bfcl install" in error[-1] and "Traceback" not in result.stderr
