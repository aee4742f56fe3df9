"""The report's figures (apigen/report_data.py) against counts made by hand from a small run
directory written record by record, with a sample cut short and redone and a candidate verified
again: the figures must cover exactly the outcomes the run state counts."""

from __future__ import annotations

import random

from apigen.records import Candidate, Completion, Example, Outcome, Prompt, SampleRecord, SampleRequest, ToolCall
from apigen.report import render_report, stage_statistics
from apigen.report_data import (
    DUPLICATE_REASONS,
    KEPT_SAMPLE_SIZE,
    REJECTED_SAMPLE_PER_REASON,
    DistinctCounter,
    collect_figures,
    json_type,
    length_histogram,
)
from apigen.store import RunStore

CATEGORIES = {"divide": "Math", "round_number": "Math", "get_weather": "Weather"}
TOOLS = ({"name": "divide"}, {"name": "round_number"})


def _sample(index: int, style: str, candidates: list[tuple[str, str, list[ToolCall]]], attempt: int = 0) -> SampleRecord:
    sid = f"s{index}"
    request = SampleRequest(sid, index, style, ("divide", "round_number"), (), "t", len(candidates))
    return SampleRecord(request, Prompt(sid, "t", ()), Completion(sid, "{}"),
                        tuple(Candidate(cid, sid, i, style, request.api_names, query, tuple(calls))
                              for i, (cid, query, calls) in enumerate(candidates)), attempt)


def _outcome(sample: SampleRecord, position: int, stage: str, reason: str = "ok", retry: bool = False) -> Outcome:
    cand = sample.candidates[position]
    kept = stage == "kept"
    example = Example(cand.candidate_id, cand.sample_id, cand.query, TOOLS, cand.calls, cand.style) if kept else None
    return Outcome(cand.candidate_id, cand.sample_id, sample.request.index, position, sample.attempt, kept, stage, reason,
                   detail=f"detail of {cand.candidate_id}", example=example, retry=retry)


DIVIDE = [ToolCall("divide", {"a": 10, "b": 4})]
MIXED = [ToolCall("divide", {"a": 9, "b": 3.5}), ToolCall("round_number", {"value": 2.5, "mode": "half_up", "exact": True})]


def write_run(run_dir) -> None:
    """4 samples, 7 generated candidates counted, 4 kept."""
    a = _sample(0, "simple", [("a0", "What is 10 divided by 4?", DIVIDE), ("a1", "Round pi <b>now</b>", [ToolCall("round", {})])])
    b = _sample(1, "parallel", [("b0", "Divide 9 by 3.5 and round 2.5 up", MIXED), ("b1", "what is 10 divided by 4?", DIVIDE)])
    c_cut = _sample(2, "simple", [("c0", "a cut query", DIVIDE), ("c1", "another cut query", DIVIDE)])
    c = _sample(2, "simple", [("c0", "What is 10 divided by 4 please", DIVIDE), ("c1", "Which BFCL question is this", DIVIDE)], 1)
    d = _sample(3, "multiple", [("d0", "Give me 1 divided by 8", [ToolCall("divide", {"a": [1], "b": {"x": None}})])])
    store = RunStore(run_dir)
    store.load()
    for record in (a, b, c_cut):
        store.append_sample(record)
    store.append_outcome(_outcome(a, 0, "kept"))
    store.append_outcome(_outcome(a, 1, "format", "unknown_function"))
    store.append_outcome(_outcome(b, 0, "kept"))
    store.append_outcome(_outcome(b, 1, "dedup", "duplicate_query"))
    store.append_outcome(_outcome(c_cut, 0, "dedup", "near_duplicate"))  # then killed: attempt 0 never finished
    store.append_sample(c)
    store.append_outcome(_outcome(c, 0, "kept"))
    store.append_outcome(_outcome(c, 1, "decontaminate", "benchmark_overlap"))
    store.append_sample(d)
    store.append_outcome(_outcome(d, 0, "semantic", "judge_error", retry=True))
    store.append_outcome(_outcome(d, 0, "kept"))  # verified again by a rerun: replaces the undecided outcome
    store.close()


def test_figures_equal_the_hand_counts(tmp_path):
    write_run(tmp_path)
    figures = collect_figures(tmp_path, CATEGORIES)
    state = RunStore(tmp_path).load()
    assert (state.generated, state.kept) == (7, 4)

    # Sample 2's cut-short attempt is not counted; d0 is counted once, by its newer (kept) outcome.
    assert figures.styles == {"simple": {"generated": 4, "kept": 2}, "parallel": {"generated": 2, "kept": 1},
                              "multiple": {"generated": 1, "kept": 1}}
    assert {a["name"]: (a["calls"], a["examples"]) for a in figures.apis} == \
        {"divide": (4, 4), "round_number": (1, 1), "get_weather": (0, 0)}
    assert [a["name"] for a in figures.apis] == ["divide", "round_number", "get_weather"]  # catalog order
    assert figures.unused_apis == ["get_weather"]
    assert figures.categories == [
        {"category": "Math", "apis": 2, "apis_used": 2, "calls": 5, "examples": 4},
        {"category": "Weather", "apis": 1, "apis_used": 0, "calls": 0, "examples": 0},
    ]
    # Kept queries: 6, 8, 7 and 6 words.
    assert figures.query_words == {6: 2, 7: 1, 8: 1}
    assert figures.length_summary == {"rows": 4, "min": 6, "median": 6.5, "mean": 6.75, "max": 8}
    assert figures.argument_types == {"integer": 5, "number": 2, "string": 1, "boolean": 1, "array": 1, "object": 1}
    assert figures.duplicates == {"duplicate_query": 1, "near_duplicate": 0, "benchmark_overlap": 1}
    assert set(figures.duplicates) == set(DUPLICATE_REASONS)
    assert figures.no_call_rows == 0


def test_counts_follow_the_run_state(tmp_path):
    write_run(tmp_path)
    figures = collect_figures(tmp_path, CATEGORIES)
    state = RunStore(tmp_path).load()
    assert sum(s["generated"] for s in figures.styles.values()) == state.generated
    assert sum(s["kept"] for s in figures.styles.values()) == state.kept
    assert sum(figures.duplicates.values()) == sum(n for (_, r), n in state.rejected.items() if r in DUPLICATE_REASONS)


def test_distinct_ngrams_by_hand(tmp_path):
    write_run(tmp_path)
    figures = collect_figures(tmp_path, CATEGORIES)
    queries = ["what is 10 divided by 4", "divide 9 by 3 5 and round 2 5 up", "what is 10 divided by 4 please",
               "give me 1 divided by 8"]
    tokens = [q.split() for q in queries]
    unigrams = [t for q in tokens for t in q]
    bigrams = [" ".join(q[i:i + 2]) for q in tokens for i in range(len(q) - 1)]
    assert figures.distinct["distinct_1"] == {"unique": len(set(unigrams)), "total": len(unigrams),
                                              "ratio": round(len(set(unigrams)) / len(unigrams), 4), "exact": True}
    assert figures.distinct["distinct_2"]["unique"] == len(set(bigrams))
    assert figures.distinct["distinct_2"]["total"] == len(bigrams)


def test_samples_hold_kept_and_rejected_rows_with_their_reasons(tmp_path):
    write_run(tmp_path)
    figures = collect_figures(tmp_path, CATEGORIES)
    assert sorted(r["query"] for r in figures.kept_sample) == sorted(
        ["What is 10 divided by 4?", "Divide 9 by 3.5 and round 2.5 up", "What is 10 divided by 4 please", "Give me 1 divided by 8"])
    rejected = {r["reason"]: r for r in figures.rejected_sample}
    assert set(rejected) == {"unknown_function", "duplicate_query", "benchmark_overlap"}  # not the replaced judge_error
    assert rejected["unknown_function"]["query"] == "Round pi <b>now</b>"
    assert rejected["unknown_function"]["meaning"] == "a call names a function that was not offered"
    assert rejected["unknown_function"]["calls"] == [{"name": "round", "arguments": {}}]
    assert rejected["duplicate_query"]["detail"] == "detail of b1"


def test_samples_are_bounded(tmp_path):
    rows = [(f"k{i}", f"query number {i}", DIVIDE) for i in range(60)]
    sample = _sample(0, "simple", rows)
    store = RunStore(tmp_path)
    store.load()
    store.append_sample(sample)
    for i in range(60):
        store.append_outcome(_outcome(sample, i, "kept" if i % 2 else "format", "ok" if i % 2 else "no_calls"))
    store.close()
    figures = collect_figures(tmp_path, {"divide": "Math"})
    assert len(figures.kept_sample) == KEPT_SAMPLE_SIZE
    assert len(figures.rejected_sample) == REJECTED_SAMPLE_PER_REASON
    assert figures.styles == {"simple": {"generated": 60, "kept": 30}}


def test_an_empty_run_directory_has_empty_figures(tmp_path):
    figures = collect_figures(tmp_path, {"divide": "Math"})
    assert figures.styles == {} and figures.unused_apis == ["divide"] and figures.length_histogram == []
    assert figures.distinct["distinct_1"]["ratio"] is None


def test_the_distinct_counter_is_exact_when_small_and_close_when_large():
    small = DistinctCounter(size=64)
    for word in ["a", "b", "a", "c"]:
        small.add(word)
    assert small.exact and small.count() == 3
    large = DistinctCounter(size=1024)
    rng = random.Random(1)
    items = [str(rng.random()) for _ in range(20000)]
    for item in items + items[:5000]:
        large.add(item)
    assert not large.exact
    assert abs(large.count() - 20000) / 20000 < 0.1


def test_length_histogram_bins_cover_every_length():
    bins = length_histogram({1: 2, 5: 1, 45: 3}, max_bins=10)
    assert bins[0]["low"] == 1 and bins[-1]["high"] >= 45
    assert sum(b["count"] for b in bins) == 6
    assert all(b["high"] - b["low"] == bins[0]["high"] - bins[0]["low"] for b in bins)
    assert len(bins) <= 10
    assert length_histogram({7: 4}) == [{"low": 7, "high": 7, "count": 4}]


def test_json_types():
    assert [json_type(v) for v in ("x", 1, 1.5, True, [1], {"a": 1}, None)] == \
        ["string", "integer", "number", "boolean", "array", "object", "null"]


def test_report_md_shows_the_same_figures(tmp_path):
    write_run(tmp_path)
    figures = collect_figures(tmp_path, CATEGORIES)
    state = RunStore(tmp_path).load()
    stats = stage_statistics(["format", "dedup"], state.generated, state.kept, state.rejected)
    report = render_report({**stats, "name": "t", "models": {}, "samples": {}, "usage": {}, "timings": {}}, figures)
    assert "| simple | 4 | 2 |" in report
    assert "| `divide` | 4 | 4 |" in report
    assert "Catalog APIs never called in a kept row: `get_weather`." in report
    assert "| `duplicate_query` | 1 |" in report and "| `benchmark_overlap` | 1 |" in report
    assert "| integer | 5 |" in report
    assert "| distinct-1 |" in report
