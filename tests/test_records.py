"""Every record type round-trips through JSON as its own type, with key order kept."""

from __future__ import annotations

import dataclasses
import json

import apigen.records as records
from apigen.records import (
    ApiExample,
    ApiSpec,
    Candidate,
    Completion,
    Example,
    ExecutionResult,
    ExecutorBinding,
    GenerationFailure,
    Outcome,
    Prompt,
    Record,
    SampleRecord,
    SampleRequest,
    ToolCall,
    Usage,
    Verdict,
)

# Arguments and parameters in a deliberately non-alphabetical order.
ARGS = {"zeta": 1, "alpha": {"y": [3, 2], "b": None}, "mid": "x"}
PARAMS = {"type": "object", "properties": {"zeta": {"type": "integer"}, "alpha": {"type": "object"}}, "required": ["zeta"]}
REQUEST = SampleRequest("s1", 3, "parallel", ("f", "g"), ("e1",), "generator/standard.j2", 2)
COMPLETION = Completion("s1", '{"pairs": []}', "m", "stop", Usage(1, 10, 5, 0.002), 0.5)
CANDIDATE = Candidate("s1-0", "s1", 0, "parallel", ("f", "g"), "q?", (ToolCall("f", ARGS), ToolCall("g", {})))
RESULT = ExecutionResult(True, result={"b": 2, "a": 1}, duration_s=0.01, name="f")
EXAMPLE = Example("s1-0", "s1", "q?", ({"name": "f", "description": "d", "parameters": PARAMS},), (ToolCall("f", ARGS),))

SAMPLES: list[Record] = [
    ApiExample(ARGS, result=[1, 2]),
    ExecutorBinding("python", "/m.py", "f", {"network": False}),
    ApiSpec("f", "d", "Math", PARAMS, ExecutorBinding("python", "/m.py", "f"), (ApiExample(ARGS, 1),)),
    REQUEST,
    Prompt("s1", "generator/standard.j2", ({"role": "system", "content": "s"}, {"role": "user", "content": "u"})),
    Usage(2, 20, 10, None),
    COMPLETION,
    Completion("s1", "", "m", error="failed after 2 attempt(s): boom"),
    ToolCall("f", ARGS),
    CANDIDATE,
    Candidate("s1-0", "s1", 0, "simple", ("f",), parse_error="invalid_json", parse_detail="x", raw="{"),
    SampleRecord(REQUEST, Prompt("s1", "t", ({"role": "user", "content": "u"},)), COMPLETION, (CANDIDATE,), attempt=1),
    GenerationFailure(REQUEST, Completion("s1", "", error="boom")),
    RESULT,
    ExecutionResult(False, code="timeout", error_type="Timeout", message="m", name="g"),
    Verdict("s1-0", "semantic", False, "judge_rejected", "no", {"votes": [False]}),
    EXAMPLE,
    Outcome("s1-0", "s1", 3, 0, 1, True, "kept", "ok", "", (Verdict("s1-0", "format", True),), (RESULT,),
            {"semantic": Usage(1, 100, 20, None)}, EXAMPLE),
    Outcome("s1-1", "s1", 3, 1, 0, False, "format", "invalid_json", "not JSON"),
]


def test_every_record_type_is_covered():
    defined = {obj for obj in vars(records).values()
               if isinstance(obj, type) and issubclass(obj, Record) and obj is not Record}
    assert defined == {type(s) for s in SAMPLES}


def test_round_trip_revives_each_type_with_nested_records():
    for sample in SAMPLES:
        revived = type(sample).from_json(sample.to_json())
        assert revived == sample and type(revived) is type(sample)
        for f in dataclasses.fields(sample):  # nested records come back as records, not dicts
            assert type(getattr(revived, f.name)) is type(getattr(sample, f.name)), (type(sample).__name__, f.name)


def test_usage_inside_outcomes_is_typed_and_adds_up():
    outcome = Outcome.from_json(SAMPLES[-2].to_json())
    assert isinstance(outcome.usage["semantic"], Usage)
    assert Usage(1, 10, 5, 0.5) + Usage(2, 1, 1, None) == Usage(3, 11, 6, 0.5)
    assert (Usage() + Usage()).cost_usd is None


def test_key_order_survives_the_round_trip():
    text = SAMPLES[-2].to_json()
    revived = Outcome.from_json(text)
    assert revived.to_json() == text
    assert list(revived.example.answers[0].arguments) == ["zeta", "alpha", "mid"]
    assert list(revived.example.answers[0].arguments["alpha"]) == ["y", "b"]
    assert list(json.loads(text)["example"]["tools"][0]["parameters"]) == ["type", "properties", "required"]


def test_to_dict_is_dataclasses_asdict_without_sharing_containers():
    """The hand-written to_dict (asdict's deepcopy of every leaf was most of a record's write) gives
    what asdict gives, and a fresh copy: changing the dict does not change the record."""
    for record in SAMPLES:
        assert record.to_dict() == dataclasses.asdict(record)  # type: ignore[call-overload]
        assert json.dumps(record.to_dict()) == json.dumps(dataclasses.asdict(record))  # type: ignore[call-overload]
    as_dict = CANDIDATE.to_dict()
    as_dict["calls"][0]["arguments"]["alpha"]["y"].append(1)
    assert CANDIDATE.calls[0].arguments["alpha"]["y"] == [3, 2]
