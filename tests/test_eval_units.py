"""The parts of apigen.eval and the BFCL-manner matcher, one by one."""

from __future__ import annotations

from apigen.eval.answer import tool_names
from apigen.eval.items import EvalItem, category_of, in_test_split, sample
from apigen.eval.score import Score
from apigen.eval.table import render, summarize
from apigen.llm.local import split_tool_calls
from apigen.matching.possible import match_possible, possible_answers
from apigen.records import ApiSpec, ExecutorBinding, ToolCall

NUMBER = {"type": "object", "properties": {"x": {"type": "number", "description": "x"}, "unit": {"type": "string", "description": "u"},
                                           "flags": {"type": "array", "items": {"type": "number"}, "description": "f"},
                                           "mode": {"type": "string", "description": "m", "default": "fast"}},
          "required": ["x"]}


def _possible(**arguments: list) -> tuple[dict, ...]:
    return ({"f": arguments},)


def _match(arguments: dict, **possible: list) -> str:
    return match_possible(_possible(**possible), (ToolCall("f", arguments),), {"f": NUMBER}).reason


def test_types_are_strict_as_in_bfcl() -> None:
    assert _match({"x": 2}, x=[2.0]) == "ok"  # an integer for a number: Python's int -> float
    assert _match({"x": "2"}, x=[2.0]) == "type_mismatch"
    assert _match({"x": True}, x=[1.0]) == "type_mismatch"
    assert _match({"x": 1.0, "flags": [1, 2]}, x=[1.0], flags=[[1.0, 2.0]]) == "type_mismatch"  # list items: exact type
    assert _match({"x": 1.0, "flags": [1, 2]}, x=[1.0], flags=[[1, 2]]) == "ok"  # ... or the answer's own item type


def test_strings_are_standardised_and_optional_arguments_follow_the_answer() -> None:
    assert _match({"x": 1.0, "unit": "New-York"}, x=[1.0], unit=["new york"]) == "ok"
    assert _match({"x": 1.0, "unit": "Newark"}, x=[1.0], unit=["new york"]) == "value_mismatch"
    assert _match({"x": 1.0}, x=[1.0], unit=["", "cm"]) == "ok"
    assert _match({"x": 1.0}, x=[1.0], unit=["cm"]) == "missing_argument"
    assert _match({"unit": "cm"}, unit=["cm"]) == "missing_argument"  # x is required by the schema
    assert _match({"x": 1.0, "mode": "fast"}, x=[1.0]) == "unexpected_argument"  # not in the answer


def test_calls_pair_in_any_order_and_counts_must_agree() -> None:
    expected = ({"f": {"x": [1.0]}}, {"f": {"x": [2.0]}})
    assert match_possible(expected, (ToolCall("f", {"x": 2.0}), ToolCall("f", {"x": 1.0})), {"f": NUMBER})
    assert match_possible(expected, (ToolCall("f", {"x": 2.0}),), {"f": NUMBER}).reason == "call_count_mismatch"
    assert match_possible(expected, (ToolCall("f", {"x": 2.0}), ToolCall("g", {"x": 1.0})), {"f": NUMBER}).reason == "function_mismatch"


def test_concrete_references_become_possible_answers() -> None:
    calls = (ToolCall("f", {"x": 1.5, "mode": "fast"}),)
    assert possible_answers(calls, {"f": NUMBER}) == ({"f": {"x": [1.5], "mode": ["fast", ""]}},)  # the default may be left out
    assert match_possible(possible_answers(calls, {"f": NUMBER}), (ToolCall("f", {"x": 1.5}),), {"f": NUMBER})


def test_local_tool_call_blocks_and_bare_json_calls() -> None:
    text, calls = split_tool_calls('<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call>\n<tool_call>\n{"name": "g", "arguments": {}}')
    assert text == "" and [(c["function"]["name"], c["function"]["arguments"]) for c in calls] == [("f", '{"x": 1}'), ("g", "{}")]
    text, calls = split_tool_calls('```json\n[{"name": "f", "arguments": {"x": 1}}, {"name": "f", "arguments": {"x": 2}}]\n```')
    assert len(calls) == 2 and calls[1]["function"]["arguments"] == '{"x": 2}'
    assert split_tool_calls("No function fits: {\"x\": 1}") == ("No function fits: {\"x\": 1}", [])
    assert split_tool_calls("<tool_call>not json</tool_call>")[1][0]["function"] == {"name": "", "arguments": "not json"}


def _spec(name: str) -> ApiSpec:
    return ApiSpec(name, "d", "Other", {"type": "object", "properties": {}}, ExecutorBinding("none", "", ""))


def test_tool_names_a_tools_api_accepts_map_back() -> None:
    item = EvalItem("1", "multiple", "q", (_spec("math.factorial"), _spec("math_factorial"), _spec("ok-name")), ())
    names = tool_names(item)
    assert all(n.replace("_", "a").replace("-", "a").isalnum() for n in names)
    assert sorted(names.values()) == ["math.factorial", "math_factorial", "ok-name"] and len(names) == 3


def test_categories_split_and_sample_are_stable() -> None:
    f, g = ToolCall("f", {}), ToolCall("g", {})
    assert [category_of(c, t) for c, t in [((), 2), ((f,), 1), ((f,), 3), ((f, f), 1), ((f, g), 2)]] == \
        ["irrelevance", "simple", "multiple", "parallel", "parallel_multiple"]
    held = [i for i in map(str, range(2000)) if in_test_split(i, 0.2)]
    assert 300 < len(held) < 500 and held == [i for i in map(str, range(2000)) if in_test_split(i, 0.2)]
    items = [EvalItem(str(i), "simple" if i % 2 else "multiple", "q", (), ()) for i in range(40)]
    chosen = sample(items, 5, seed=3)
    assert len(chosen) == 10 and chosen == sample(items, 5, seed=3) and chosen != sample(items, 5, seed=4)


def test_summary_and_table() -> None:
    scores = [("simple", Score(True, "ok", "", True, True)), ("simple", Score(False, "value_mismatch", "", True, False)),
              ("irrelevance", Score(False, "unexpected_call", "", False))]
    summary = summarize(scores)
    assert summary["categories"]["simple"] == {"items": 2, "ast_accuracy": 0.5, "relevance_accuracy": 1.0, "executable": 2,
                                               "execution_accuracy": 0.5}
    assert summary["overall"]["ast_accuracy"] == round(1 / 3, 4) and summary["overall"]["ast_accuracy_macro"] == 0.25
    assert summary["reasons"] == {"value_mismatch": 1, "unexpected_call": 1}
    table = render(summary, "t")
    assert "| simple | 2 | 50.0% | 100.0% | 50.0% (2) |" in table and "| irrelevance | 1 | 0.0% | 0.0% | - |" in table
