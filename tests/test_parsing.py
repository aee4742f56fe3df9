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
