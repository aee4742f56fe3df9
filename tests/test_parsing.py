"""Model output is data: the parser turns any reply into candidates or reasoned failures."""

from __future__ import annotations

import json

from apigen.parsing import parse_completion
from apigen.records import Completion, SampleRequest

REQUEST = SampleRequest(sample_id="abc", index=0, style="simple", api_names=("f",), example_ids=(), template="t", num_queries=2)


def _parse(text: str, finish_reason: str = "stop"):
    return parse_completion(REQUEST, Completion(sample_id="abc", text=text, finish_reason=finish_reason))


def test_pairs_become_candidates_with_stable_ids():
    text = json.dumps({"pairs": [{"query": "q1", "answers": [{"name": "f", "arguments": {"x": 1}}]},
                                 {"query": "q2", "answers": [{"name": "f", "arguments": "{\"x\": 2}"}]}]})
    cands = _parse(text)
    assert [c.candidate_id for c in cands] == ["abc-0", "abc-1"]
    assert cands[1].calls[0].arguments == {"x": 2}  # double-encoded arguments are decoded
    assert all(c.parse_error is None for c in cands)


def test_code_fences_and_bare_lists_are_accepted():
    body = json.dumps([{"query": "q", "answers": [{"name": "f", "arguments": {}}]}])
    assert _parse(f"```json\n{body}\n```")[0].query == "q"


def test_unusable_replies_become_one_reasoned_failure():
    assert _parse("I cannot do that")[0].parse_error == "invalid_json"
    assert _parse('{"items": []}')[0].parse_error == "missing_field"
    assert _parse('{"pairs": []}')[0].parse_error == "missing_field"
    assert _parse('{"pairs": [{"query": 1') [0].parse_error == "invalid_json"
    truncated = _parse('{"pairs": [', finish_reason="length")[0]
    assert truncated.parse_error == "truncated" and truncated.raw == '{"pairs": ['


def test_one_bad_pair_does_not_spoil_the_others():
    text = json.dumps({"pairs": [{"query": "ok", "answers": [{"name": "f", "arguments": {}}]},
                                 {"query": "no answers"},
                                 {"query": 5, "answers": []},
                                 {"query": "bad call", "answers": [{"name": "f"}]},
                                 "not an object"]})
    codes = [c.parse_error for c in _parse(text)]
    assert codes == [None, "missing_field", "wrong_field_type", "missing_field", "wrong_field_type"]


def test_deeply_nested_garbage_never_raises():
    assert _parse("[" * 100000)[0].parse_error == "invalid_json"


def test_generation_schema_pins_counts_names_and_argument_types():
    from jsonschema import Draft202012Validator

    from apigen.catalog import load_catalog
    from apigen.parsing import generation_schema

    from conftest import TEST_DATA

    catalog = load_catalog([str(TEST_DATA / "calc_catalog.py")])
    request = SampleRequest("s", 0, "parallel_multiple", ("divide", "round_number"), (), "t", 2)
    validator = Draft202012Validator(generation_schema(request, list(catalog.specs)))

    def reply(*calls_per_pair):
        return {"pairs": [{"query": f"q{i}", "answers": [{"name": n, "arguments": a} for n, a in calls]}
                          for i, calls in enumerate(calls_per_pair)]}

    two_calls = [("divide", {"a": 1, "b": 2}), ("round_number", {"value": 2.5, "mode": "half_up"})]
    assert validator.is_valid(reply(two_calls, two_calls))
    assert not validator.is_valid(reply(two_calls))  # num_queries is 2
    assert not validator.is_valid(reply(two_calls[:1], two_calls))  # parallel styles need 2+ calls
    assert not validator.is_valid(reply(two_calls, [("sqrt", {"x": 4}), ("divide", {"a": 1, "b": 2})]))
    assert not validator.is_valid(reply(two_calls, [("divide", {"a": "1", "b": 2}), two_calls[1]]))
    assert not validator.is_valid(reply(two_calls, [("divide", {"a": 1, "b": 2, "c": 3}), two_calls[1]]))
    assert not validator.is_valid(reply(two_calls, [("round_number", {"value": 1.5, "mode": "up"}), two_calls[0]]))
    simple = generation_schema(SampleRequest("s", 0, "simple", ("divide",), (), "t", 1), [catalog.get("divide")])
    assert not Draft202012Validator(simple).is_valid(reply(two_calls[:1] * 2))


def test_generation_schema_keeps_parameter_names_and_enum_values_that_look_like_keywords():
    from apigen.parsing import generation_schema
    from apigen.records import ApiSpec, ExecutorBinding

    spec = ApiSpec("note", "Save a note.", "Tools", {
        "type": "object", "required": ["title"],
        "properties": {"title": {"type": "string", "description": "Title."},
                       "style": {"type": "object", "description": "Style.", "enum": [{"description": "bold"}]}},
    }, ExecutorBinding("none"))
    schema = generation_schema(SampleRequest("s", 0, "simple", ("note",), (), "t", 1), [spec])
    arguments = schema["properties"]["pairs"]["items"]["properties"]["answers"]["items"]["properties"]["arguments"]
    assert set(arguments["properties"]) == {"title", "style"}  # a parameter called "title" is not prose
    assert "description" not in arguments["properties"]["title"]
    assert arguments["properties"]["style"]["enum"] == [{"description": "bold"}]  # enum values are data
    assert arguments["additionalProperties"] is False and arguments["properties"]["title"]["maxLength"] == 160
