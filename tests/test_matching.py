"""The call matcher (apigen/matching): every rule of its docstring, positives and negatives, and
the reason code of every failure."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apigen.matching import MatchResult, match_call, match_calls, values_match
from apigen.matching.normalize import find_dates, find_numbers, fold_text, parse_date, parse_number
from apigen.records import ToolCall

# ----- values ------------------------------------------------------------------------------

SAME = [
    # numbers
    (2, 2.0), (2, 2), (0.1 + 0.2, 0.3), (1e12, 1e12 + 1), (-3, -3.0),
    # numeric strings and number words
    ("2", 2), (2, "2"), ("5.0", 5), ("five", 5), (21, "twenty-one"), (21, "twenty one"), ("1,000", 1000),
    (1000, "one thousand"), (105, "one hundred and five"), (2345, "two thousand three hundred forty-five"),
    ("$20", 20), ("5%", 5), ("1.5 million", 1_500_000), (-5, "minus five"), (7, "07"),
    ("five", "5"), ("1,000", "1000"), ("5.0", "5"), ("Ten", "10"),
    # strings
    ("New York", "new york"), ("New York", "new-york"), ("New York", "  New   York "), ("São Paulo", "Sao Paulo"),
    ("rock'n'roll", "rock n roll"), ('"quoted"', "quoted"), ("e-mail", "email"), ("snake_case", "snake case"),
    ("Hello, world!", "hello world"), ("C#", "c#"),
    # dates
    ("05-12-2022", "May 12, 2022"), ("2022-05-12", "05/12/2022"), ("2022-05-12", "12 May 2022"),
    ("2022-05-12", "May 12th 2022"), ("2022/05/12", "12th of May, 2022"), ("2022-05-13", "13/05/2022"),
    ("2022-05-12", "Thursday, May 12, 2022"), ("2021-09-03", "Sept. 3, 2021"),
    # booleans and null
    (True, True), (False, "false"), ("True", True), (None, None),
    # trailing qualifier
    ("New York", "New York, NY"), ("Paris, France", "paris"),
    # lists and objects
    ([1, 2, 3], [1.0, "2", "three"]), (["New York", "Boston"], ["new york", "BOSTON"]), ([], []),
    ({"city": "Paris", "days": 3}, {"days": "3", "city": "paris"}), ({"a": {"b": [1]}}, {"a": {"b": [1.0]}}),
]

DIFFERENT = [
    (5, 6), (2, 2.001), ("5", 6), ("five", 6), ("3.5", "35"), ("3.5", 35), ("1.5", "1 5"), ("02134", "2134"),
    ("02134", 2134.5), ("5%", 0.05), ("five five", 10), ("a", 1), ("", 0),
    ("New York", "Newark"), ("art", "start"), ("C#", "C"), ("C++", "C"), ("AT&T", "ATT"), ("transit", "public transportation"),
    ("05-12-2022", "May 13, 2022"), ("2022-05-12", "2022-05-12T10:00"), ("May 12", "May 12, 2022"), ("2022-05-12", "May 2022"),
    (True, 1), (False, 0), (True, "yes"), (True, False), (None, ""), (None, 0), ("null", None),
    ("Paris, France", "Paris, TX"), ("1", "1,000"), ("New", "New York, NY"),
    ([1, 2, 3], [3, 2, 1]), ([1, 2], [1, 2, 3]), ([1], 1), ("a", ["a"]),
    ({"city": "Paris"}, {"city": "Lyon"}), ({"city": "Paris"}, {"city": "Paris", "days": 3}), ({"a": 1}, [1]),
    (object(), object()), (float("nan"), float("nan")),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_the_same_value_matches_both_ways(a, b):
    assert values_match(a, b) and values_match(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_values_do_not_match_either_way(a, b):
    assert not values_match(a, b) and not values_match(b, a)


def test_enum_values_compare_by_spelling_only():
    unit = {"type": "string", "enum": ["celsius", "fahrenheit"]}
    assert values_match("celsius", "Celsius", unit)
    assert not values_match("celsius", "C", unit)
    plain_enum = {"enum": ["5", "ten"]}
    assert not values_match("ten", "10", plain_enum)  # no number reading for enum members
    assert values_match("ten", "10")


def test_nested_schemas_reach_list_items_and_object_keys():
    schema = {"type": "array", "items": {"type": "object", "properties": {
        "unit": {"type": "string", "enum": ["km", "mi"]}, "verbose": {"type": "boolean", "default": False}}}}
    assert values_match([{"unit": "km"}], [{"unit": "KM", "verbose": False}], schema)
    assert not values_match([{"unit": "km"}], [{"unit": "km", "verbose": True}], schema)
    assert not values_match([{"unit": "km"}], [{"unit": "kilometers"}], schema)
    extra = {"type": "object", "additionalProperties": {"type": "integer", "default": 0}}
    assert values_match({"a": 1}, {"a": 1, "b": 0}, extra)


# ----- single calls ------------------------------------------------------------------------

WEATHER = {"type": "object", "properties": {
    "city": {"type": "string"},
    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
    "days": {"type": "integer", "default": 1},
}, "required": ["city"]}


def call(name: str, **arguments) -> ToolCall:
    return ToolCall(name, arguments)


CALLS_MATCH = [
    (call("weather", city="New York", unit="celsius"), call("weather", unit="Celsius", city="new york")),
    (call("weather", city="Boston"), call("weather", city="Boston", unit="celsius", days=1)),  # defaults left out
    (call("weather", city="Boston", days=1.0), call("weather", city="boston")),
    (call("weather", city="New York"), call("weather", city="New York, NY")),
]

CALLS_DIFFER = [
    (call("weather", city="Boston"), call("forecast", city="Boston"), "function_mismatch"),
    (call("weather", city="New York"), call("weather", city="Newark"), "value_mismatch"),
    (call("weather", city="Boston", days=2), call("weather", city="Boston"), "missing_argument"),
    (call("weather", city="Boston"), call("weather", city="Boston", days=3), "unexpected_argument"),
    (call("weather", city="Boston"), call("weather", city="Boston", unit="fahrenheit"), "unexpected_argument"),
    (call("weather", city="Boston"), call("weather", city="Boston", country="US"), "unexpected_argument"),
    (call("weather", city="Boston"), call("weather"), "missing_argument"),
    (call("weather", city="Boston"), ToolCall("weather", "city=Boston"), "value_mismatch"),  # type: ignore[arg-type]
    (call("weather", city="Boston"), ToolCall(None, {}), "function_mismatch"),  # type: ignore[arg-type]
    (call("weather", city="Boston"), None, "function_mismatch"),
]


@pytest.mark.parametrize(("expected", "actual"), CALLS_MATCH)
def test_matching_calls(expected, actual):
    result = match_call(expected, actual, WEATHER)
    assert result == MatchResult(True, "ok", "") and result


@pytest.mark.parametrize(("expected", "actual", "reason"), CALLS_DIFFER)
def test_differing_calls_name_the_reason(expected, actual, reason):
    result = match_call(expected, actual, WEATHER)
    assert not result and result.reason == reason and result.detail


def test_the_detail_names_the_argument_with_expected_and_got():
    result = match_call(call("weather", city="New York"), call("weather", city="Newark"), WEATHER)
    assert result.detail == "'weather' argument 'city': expected \"New York\", got \"Newark\""
    missing = match_call(call("weather", city="Boston", days=2), call("weather", city="Boston"), WEATHER)
    assert "'days'" in missing.detail and "(absent)" in missing.detail


def test_without_a_schema_a_one_sided_argument_fails():
    assert match_call(call("f", a=1), call("f", a=1.0), None)
    assert match_call(call("f", a=1), call("f", a=1, b=None), None).reason == "unexpected_argument"
    assert match_call(call("f", a=1), call("f", a=1, b=None), {"properties": {"b": {"default": None}}})
    assert match_call(call("f", a=1), call("f", a=1, b=2), "not a schema").reason == "unexpected_argument"  # type: ignore[arg-type]


# ----- sets of calls -----------------------------------------------------------------------

SCHEMAS = {"weather": WEATHER, "time": {"type": "object", "properties": {"zone": {"type": "string"}}}}


def test_parallel_calls_with_duplicate_names_match_in_any_order():
    expected = [call("weather", city="Boston"), call("weather", city="Paris", days=3), call("time", zone="UTC")]
    actual = [call("time", zone="utc"), call("weather", city="paris", days="three"), call("weather", city="Boston", unit="celsius")]
    assert match_calls(expected, actual, SCHEMAS)
    assert match_calls(expected, list(reversed(actual)), SCHEMAS)
    assert match_calls(expected, expected, SCHEMAS, ordered=True)
    result = match_calls(expected, actual, SCHEMAS, ordered=True)
    assert (result.matched, result.reason) == (False, "function_mismatch") and result.detail.startswith("call 0:")
    swapped = [call("time", zone="UTC"), call("weather", city="Austin"), call("weather", city="Paris", days=3)]
    assert match_calls(expected, swapped, SCHEMAS).reason == "value_mismatch"  # Boston has no partner


def test_each_reference_call_needs_its_own_partner():
    # Both reference calls match the first actual call; the second actual call matches neither.
    expected = [call("weather", city="Boston"), call("weather", city="boston")]
    actual = [call("weather", city="Boston"), call("weather", city="Denver")]
    result = match_calls(expected, actual, SCHEMAS)
    assert (result.matched, result.reason) == (False, "value_mismatch")
    assert "closest is call 1" in result.detail and "Denver" in result.detail
    # The pairing is found even when a greedy first choice would block it.
    loose = [call("weather", city="Boston"), call("weather", city="Boston", days=2)]
    assert match_calls(loose, [call("weather", city="Boston", days=2), call("weather", city="Boston", days=1)], SCHEMAS)


SETS_DIFFER = [
    ([call("weather", city="Boston")], [call("weather", city="Boston"), call("weather", city="Paris")], "call_count_mismatch"),
    ([call("weather", city="Boston"), call("time", zone="UTC")], [call("weather", city="Boston")], "call_count_mismatch"),
    ([call("weather", city="Boston"), call("weather", city="Paris"), call("time", zone="UTC")],
     [call("weather", city="Boston"), call("time", zone="UTC"), call("time", zone="CET")], "call_count_mismatch"),
    ([call("weather", city="Boston")], [call("time", zone="UTC")], "function_mismatch"),
    ([call("weather", city="Boston"), call("time", zone="UTC")], [call("weather", city="Boston"), call("clock", zone="UTC")], "function_mismatch"),
    ([call("weather", city="Boston"), call("time", zone="UTC")], [call("weather", city="Austin"), call("time", zone="UTC")], "value_mismatch"),
    ([call("weather", city="Boston", days=2)], [call("weather", city="Boston")], "missing_argument"),
    ([call("weather", city="Boston")], [call("weather", city="Boston", days=2)], "unexpected_argument"),
    ([call("weather", city="Boston")], [], "call_count_mismatch"),
    ([call("weather", city="Boston")], None, "call_count_mismatch"),
    ([call("weather", city="Boston")], "weather", "call_count_mismatch"),
    ([call("weather", city="Boston")], [{"name": "weather"}], "function_mismatch"),
]


@pytest.mark.parametrize(("expected", "actual", "reason"), SETS_DIFFER)
@pytest.mark.parametrize("ordered", [False, True])
def test_differing_sets_name_the_reason(expected, actual, reason, ordered):
    result = match_calls(expected, actual, SCHEMAS, ordered=ordered)
    assert not result and result.reason == reason and result.detail


def test_unknown_functions_and_missing_schemas_are_compared_without_a_schema():
    assert match_calls([call("unknown", x="A")], [call("unknown", x="a")], SCHEMAS)
    assert match_calls([call("weather", city="A")], [call("weather", city="a")], None)  # type: ignore[arg-type]
    result = match_calls([call("weather", city="A")], [call("weather", city="A", days=1)], {})
    assert result.reason == "unexpected_argument"  # no schema, so no default to accept it


def test_lists_are_order_sensitive_inside_a_call():
    schema = {"properties": {"values": {"type": "array", "items": {"type": "number"}}}}
    assert match_call(call("norm", values=[1, 2, 3]), call("norm", values=[1.0, 2, "3"]), schema)
    assert match_call(call("norm", values=[1, 2, 3]), call("norm", values=[3, 2, 1]), schema).reason == "value_mismatch"


# ----- the normalisation helpers -----------------------------------------------------------


def test_helpers():
    assert fold_text(" New-York,  N.Y. ") == "newyorkny"
    assert parse_number("five five") is None and parse_number("twelve hundred") == 1200 and parse_number("a") is None
    assert parse_date("13/05/2022") == dt.date(2022, 5, 13) and parse_date("13/13/2022") is None
    assert parse_date("2022-02-30") is None
    numbers = find_numbers("between 10 and 80, $1,500, 5%, -4, twenty one, 10-20, 5k, mp3, 3.5.")
    assert {10, 80, 1500, 5, -4, 4, 21, 20, 5000, 3.5} <= set(numbers) and 3 not in numbers
    assert list(find_dates("on May 12th 2022, or 2022-05-14.")) == [dt.date(2022, 5, 14), dt.date(2022, 5, 12)]


def test_the_matcher_does_not_depend_on_the_verifier():
    import subprocess
    import sys

    code = "import sys, apigen.matching; print(sorted(m for m in sys.modules if m.startswith('apigen')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == str(["apigen", "apigen.matching", "apigen.matching.calls", "apigen.matching.normalize",
                                  "apigen.matching.values", "apigen.records"])



def json_values(nan: bool):
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=nan) | st.text(max_size=20)
        | st.sampled_from(["five", "2022-05-12", "May 12, 2022", "1,000", "5%", "New York, NY", "02134", "a hundred"]),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
        max_leaves=12,
    )


JSON = json_values(nan=True)
NAMES = st.sampled_from(["weather", "time", "unknown"])
CALLS = st.lists(st.builds(ToolCall, NAMES | JSON, JSON), max_size=4)
CODES = {"ok", "call_count_mismatch", "function_mismatch", "value_mismatch", "missing_argument", "unexpected_argument"}


@settings(max_examples=300, deadline=None)
@given(expected=CALLS, actual=CALLS | JSON, schema=JSON, ordered=st.booleans())
def test_odd_input_never_raises_and_only_documented_codes_come_back(expected, actual, schema, ordered):
    schemas = {"weather": WEATHER, "time": schema} if isinstance(schema, dict) else schema
    result = match_calls(expected, actual, schemas, ordered=ordered)
    assert result.reason in CODES and bool(result) == (result.reason == "ok")
    assert isinstance(values_match(expected, actual, schema), bool)


@settings(max_examples=200, deadline=None)
@given(calls=st.lists(st.builds(ToolCall, NAMES, st.dictionaries(st.text(max_size=8), json_values(nan=False), max_size=4)), max_size=4),
       ordered=st.booleans())
def test_every_set_of_calls_matches_itself(calls, ordered):
    assert match_calls(calls, list(reversed(calls)) if not ordered else calls, SCHEMAS, ordered=ordered)


def test_clock_times_are_read_from_values_and_texts():
    from apigen.matching.normalize import find_times, parse_datetime, parse_time

    assert parse_time("10:00") == (10, 0) and parse_time("08:30:15") == (8, 30)
    assert parse_time("25:00") is None and parse_time("00:01:30:12") is None and parse_time("10") is None
    assert parse_datetime("2023-04-18T10:00:00Z") == (dt.date(2023, 4, 18), (10, 0))
    assert parse_datetime("2023-04-18 22:15+02:00") == (dt.date(2023, 4, 18), (22, 15))
    assert parse_datetime("2023-04-18") is None
    assert set(find_times("From 10 AM to 2 p.m., then 16:45 and midnight.")) == {(10, 0), (14, 0), (16, 45), (0, 0)}
    assert set(find_times("13 PM, version 1.10:30, 3 apples, 5 miles")) == set()
