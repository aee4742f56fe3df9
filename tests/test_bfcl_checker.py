"""Our BFCL-manner matcher (apigen.matching.possible) against bfcl-eval's own AST checker, on
answers made from every AST row of BFCL (non-live and live) by systematic changes: the reference,
other acceptable values, changed types, dropped / added / unexpected arguments, other functions,
reordered, dropped and repeated calls. The answers of a real model are compared by
benchmarks/bench_eval_baseline.py."""

from __future__ import annotations

from apigen.bfcl.checker import bfcl_verdict
from apigen.bfcl.data import load_category
from apigen.bfcl.perturb import perturbations
from apigen.matching.possible import match_possible

AST_CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple",
                  "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")


def test_matcher_agrees_with_bfcl_checker_on_perturbed_answers() -> None:
    compared, valid, disagreements = 0, 0, []
    for category in AST_CATEGORIES:
        for item in load_category(category):
            schemas = {f.name: f.parameters for f in item.functions}
            for change, calls in perturbations(item):
                ours = match_possible(item.ground_truth, calls, schemas)
                theirs, error = bfcl_verdict(item, calls)
                compared += 1
                valid += theirs
                if ours.matched != theirs:
                    disagreements.append((item.id, change, ours.reason, error))
    print(f"{compared} answers, {valid} valid by BFCL's checker, {len(disagreements)} disagreements")
    assert compared > 40000 and 0.2 < valid / compared < 0.6  # both kinds of answer, many of each
    assert disagreements == []


def test_checker_rejects_what_it_should() -> None:
    item = load_category("simple_python")[0]
    (name, answer), = item.ground_truth[0].items()
    from apigen.bfcl.data import reference_calls
    from apigen.records import ToolCall

    calls = reference_calls(item)
    assert bfcl_verdict(item, calls) == (True, "")
    wrong = (ToolCall(name, {**calls[0].arguments, "unknown_argument": 1}),)
    assert bfcl_verdict(item, wrong)[0] is False
    assert match_possible(item.ground_truth, wrong, {f.name: f.parameters for f in item.functions}).reason == "unexpected_argument"
