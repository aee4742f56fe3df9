"""The grounding stage (apigen/verify/grounding.py): made-up values are caught, values written in
the query in another form are traced, and both modes through the stage built from a config."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apigen.build import build
from apigen.config import ConfigError
from apigen.records import Candidate, ToolCall
from apigen.verify.chain import StageContext, StageEnv, stage_named
from apigen.verify.grounding import is_numeric, untraced_values

from conftest import compose_config, fake_llm_overrides

REMOTE = fake_llm_overrides("http://127.0.0.1:9/v1")

NORMALIZE = {"type": "object", "properties": {"values": {"type": "array", "items": {"type": "number"}}}}
SCHEMAS = {
    "normalize": NORMALIZE,
    "scale": NORMALIZE,
    "weather": {"type": "object", "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
        "days": {"type": "integer", "default": 1},
        "details": {"type": "boolean"},
    }},
    "book": {"type": "object", "properties": {
        "date": {"type": "string"}, "budget": {"type": "number"}, "guests": {"type": "integer"},
        "mode": {"type": "string", "enum": ["train", "plane", "car"]},
        "filters": {"type": "object", "properties": {"max_stops": {"type": "integer", "default": 0}}},
    }},
    "hypot": {"type": "object", "properties": {
        "x": {"type": "number"},
        "z": {"type": "number", "description": "Optional. The z-coordinate value. Default is 0."},
        "unit": {"type": "string", "description": "'m', 'ft' or 'in'; default 'm'."},
    }},
    "meet": {"type": "object", "properties": {"start": {"type": "string"}, "end": {"type": "string"}, "at": {"type": "string"},
                                               "code": {"type": "string"}}},
}


def untraced(query: str, name: str, **arguments) -> dict:
    return untraced_values(query, [ToolCall(name, arguments)], SCHEMAS)


def test_values_filled_in_between_the_ends_of_a_range_are_caught():
    assert untraced("Normalize the temperatures between 10 and 80 degrees Celsius.", "normalize",
                    values=[10, 20, 30, 40, 50, 60, 70, 80]) == {"call 0 normalize.values": [20, 30, 40, 50, 60, 70]}
    assert untraced("Scale the weights of the dogs between 1 and 8.", "scale",
                    values=[1, 2, 3, 4, 5, 6, 7, 8]) == {"call 0 scale.values": [2, 3, 4, 5, 6, 7]}


TRACED = [
    # (query, function, arguments)
    ("Book a train on May 12th, 2022.", "book", {"date": "2022-05-12", "mode": "train"}),
    ("Book it for 05/12/2022.", "book", {"date": "May 12, 2022"}),
    ("Book it for 2022-05-12.", "book", {"date": "12 May 2022"}),
    ("Book a trip with a budget of $1,500.", "book", {"budget": 1500}),
    ("Book a trip with a budget of $1,500.", "book", {"budget": "1500"}),
    ("Book a table for five.", "book", {"guests": 5}),
    ("Book a table for twenty one people.", "book", {"guests": 21}),
    ("Book a table for 5.", "book", {"guests": "five"}),
    ("Book it with a 5% discount and a budget of 3.5k.", "book", {"budget": 3500}),
    ("Book it with a 5% discount.", "book", {"budget": 0.05}),
    ("Book a table for a dozen.", "book", {"guests": 12}),
    ("Book a plane, no stops.", "book", {"mode": "plane", "filters": {"max_stops": 0}}),
    ("What's the weather in New York?", "weather", {"city": "new york"}),
    ("What's the weather in new-york?", "weather", {"city": "New York"}),
    ("What's the weather in São Paulo?", "weather", {"city": "Sao Paulo"}),
    ("Weather in Boston, with details please.", "weather", {"city": "Boston", "details": True, "unit": "celsius", "days": 1}),
    ("Weather in Boston in Fahrenheit for 3 days.", "weather", {"city": "Boston", "unit": "fahrenheit", "days": 3}),
    ("Normalize 1, 2.5 and -4.", "normalize", {"values": [1, 2.5, -4]}),
    ("The hypotenuse for x = 3.", "hypot", {"x": 3, "z": 0, "unit": "m"}),  # defaults documented in words
    ("Forecast for the next week.", "normalize", {"values": [7]}),
    ("Compounded monthly.", "normalize", {"values": [12]}),
    ("I worked from 10 AM to 2 PM.", "meet", {"start": "10:00", "end": "14:00"}),
    ("Meet at 9:30 p.m., or at noon.", "meet", {"start": "21:30:00", "end": "12:00"}),
    ("A meeting on 4/18/2023 at 10:00 AM in Paris.", "meet", {"at": "2023-04-18T10:00:00"}),
]


@pytest.mark.parametrize(("query", "name", "arguments"), TRACED)
def test_values_written_in_the_query_in_another_form_are_traced(query, name, arguments):
    assert untraced(query, name, **arguments) == {}


UNTRACED = [
    ("Book a trip with a budget of $1,500.", "book", {"budget": 1600}, {"call 0 book.budget": [1600]}),
    ("Book it for May 12th, 2022.", "book", {"date": "2022-05-13"}, {"call 0 book.date": ["2022-05-13"]}),
    ("Book it for tomorrow.", "book", {"date": "2022-05-13"}, {"call 0 book.date": ["2022-05-13"]}),
    ("Book a table at the start of May.", "book", {"mode": "train"}, {"call 0 book.mode": ["train"]}),  # enum not named
    ("Book a flight to the start line.", "weather", {"city": "art"}, {"call 0 weather.city": ["art"]}),  # not inside a word
    ("What's the weather in Newark?", "weather", {"city": "New York"}, {"call 0 weather.city": ["New York"]}),
    ("What's the weather in New York?", "weather", {"city": "New York, NY"}, {"call 0 weather.city": ["New York, NY"]}),
    ("Weather in Boston.", "weather", {"city": "Boston", "unit": "fahrenheit", "days": 2},
     {"call 0 weather.unit": ["fahrenheit"], "call 0 weather.days": [2]}),
    ("Weather in Boston.", "weather", {"city": ""}, {"call 0 weather.city": [""]}),
    ("Book a plane.", "book", {"filters": {"max_stops": 2}}, {"call 0 book.filters.max_stops": [2]}),
    ("Book it with a 5% discount.", "book", {"budget": 0.5}, {"call 0 book.budget": [0.5]}),
    ("The hypotenuse for x = 3.", "hypot", {"x": 3, "z": 1, "unit": "ft"},  # not what the default sentence names
     {"call 0 hypot.z": [1], "call 0 hypot.unit": ["ft"]}),
    ("I worked from 10 AM to 2 PM.", "meet", {"start": "10:00", "end": "22:00"}, {"call 0 meet.end": ["22:00"]}),
    ("A meeting on April 18 at 10:00 AM.", "meet", {"at": "2023-04-18T10:00:00"}, {"call 0 meet.at": ["2023-04-18T10:00:00"]}),
    ("A meeting on 4/18/2023 at 10:00 AM.", "meet", {"at": "2023-04-18T11:00:00"}, {"call 0 meet.at": ["2023-04-18T11:00:00"]}),
]


@pytest.mark.parametrize(("query", "name", "arguments", "expected"), UNTRACED)
def test_values_not_in_the_query_are_listed_per_argument(query, name, arguments, expected):
    assert untraced(query, name, **arguments) == expected


def test_every_call_is_traced_and_odd_arguments_are_untraced():
    calls = [ToolCall("weather", {"city": "Boston"}), ToolCall("weather", {"city": "Denver"}), ToolCall("unknown", {"x": 7}),
             ToolCall("weather", "Boston")]  # type: ignore[arg-type]
    assert untraced_values("Weather in Boston and in Paris, 7 days.", calls, SCHEMAS) == {
        "call 1 weather.city": ["Denver"], "call 3 weather": ["Boston"]}



JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
                    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(query=st.text(max_size=60), calls=st.lists(st.builds(ToolCall, st.sampled_from(list(SCHEMAS)) | JSON, JSON), max_size=3),
       schema=JSON)
def test_odd_input_never_raises(query, calls, schema):
    untraced = untraced_values(query, calls, {**SCHEMAS, "book": schema})
    assert all(isinstance(values, list) and values for values in untraced.values())

# ----- the stage ---------------------------------------------------------------------------

QUERY = "Normalize the temperatures between 10 and 80 degrees Celsius."


def candidate(values: list[float]) -> Candidate:
    return Candidate("s-0", "s", 0, "simple", ("normalize_min_max",), QUERY, (ToolCall("normalize_min_max", {"values": values}),))


def stage_for(mode: str | None):
    overrides = [*REMOTE, "verifier.stages=[format,grounding]"] + ([f"verifier.grounding.mode={mode}"] if mode else [])
    cfg = compose_config(overrides)
    components = build(cfg)
    assert components.chain.names == ["format", "grounding"]
    return stage_named("grounding", StageEnv(cfg, components.catalog, None, {}, None))  # type: ignore[arg-type]


def test_reject_mode_rejects_untraced_values():
    stage = stage_for("reject")
    verdict = asyncio.run(stage.check(candidate([10, 20, 80]), StageContext()))
    assert (verdict.passed, verdict.stage, verdict.reason) == (False, "grounding", "ungrounded_value")
    assert verdict.data == {"untraced": {"call 0 normalize_min_max.values": [20]}, "mode": "reject", "flagged": False}
    assert "call 0 normalize_min_max.values: 20" in verdict.detail
    ok = asyncio.run(stage.check(candidate([10, 80]), StageContext()))
    assert (ok.passed, ok.reason, ok.data["untraced"]) == (True, "ok", {})


def test_flag_mode_passes_with_the_values_recorded():
    stage = stage_for("flag")
    verdict = asyncio.run(stage.check(candidate([10, 20, 80]), StageContext()))
    assert (verdict.passed, verdict.reason) == (True, "ok")
    assert verdict.data == {"untraced": {"call 0 normalize_min_max.values": [20]}, "mode": "flag", "flagged": True}
    assert "20" in verdict.detail
    clean = asyncio.run(stage.check(candidate([10, 80]), StageContext()))
    assert clean.passed and clean.data["flagged"] is False and clean.detail == ""


def test_reject_numbers_rejects_only_numbers_and_dates():
    stage = stage_for("reject_numbers")
    invented = asyncio.run(stage.check(candidate([10, 20, 80]), StageContext()))
    assert (invented.passed, invented.reason) == (False, "ungrounded_number")
    assert invented.detail == "not found in the query: call 0 normalize_min_max.values: 20"
    # An untraced string is flagged, not rejected; the numbers next to it are traced.
    water = Candidate("s-4", "s", 0, "simple", ("molar_mass",), "What is the molar mass of water?",
                      (ToolCall("molar_mass", {"formula": "H2O"}),))
    flagged = asyncio.run(stage.check(water, StageContext()))
    assert (flagged.passed, flagged.data["flagged"], flagged.data["untraced"]) == (True, True, {"call 0 molar_mass.formula": ["H2O"]})
    year = Candidate("s-5", "s", 0, "simple", ("days_until_event",), "How many days from April 15 to April 20?",
                     (ToolCall("days_until_event", {"event_date": "2023-04-20", "from_date": "2023-04-15"}),))
    assert asyncio.run(stage.check(year, StageContext())).reason == "ungrounded_number"


@pytest.mark.parametrize(("value", "numeric"), [
    (3, True), (2.5, True), (True, False), (None, False), ("3.5", True), ("2023-10-05", True), ("22:00", True),
    ("2023-04-15T10:00:00", True), ("00:01:30:12", True), ("ES 567 890 123", True), ("H2O", False), ("PM2.5", False),
    ("celsius", False), ("America/New_York", False), ([1], False),
])
def test_numeric_values_are_numbers_dates_times_and_codes_made_mostly_of_figures(value, numeric):
    assert is_numeric(value) is numeric


def test_booleans_are_exempt_and_named_enum_values_traced_through_the_catalog_schemas():
    stage = stage_for("reject")
    tax = Candidate("s-1", "s", 0, "simple", ("sales_tax",), "What is the sales tax on $120 at 8.5%? The price includes the tax.",
                    (ToolCall("sales_tax", {"amount": 120, "tax_rate_percent": 8.5, "tax_included": True}),))
    verdict = asyncio.run(stage.check(tax, StageContext()))
    assert verdict.passed and verdict.data["exempt"] == {"call 0 sales_tax.tax_included": [True]}
    minify = Candidate("s-2", "s", 0, "simple", ("format_json",), 'Minify this JSON: {"a": 1}',
                       (ToolCall("format_json", {"json_text": '{"a": 1}', "style": "minify", "sort_keys": False}),))
    assert asyncio.run(stage.check(minify, StageContext())).passed  # sort_keys=False is the default
    pretty = Candidate("s-3", "s", 0, "simple", ("format_json",), 'Tidy up this JSON: {"a": 1}',
                       (ToolCall("format_json", {"json_text": '{"a": 1}', "style": "minify"}),))
    assert asyncio.run(stage.check(pretty, StageContext())).data["untraced"] == {"call 0 format_json.style": ["minify"]}


def test_an_unknown_mode_fails_naming_the_key():
    with pytest.raises(ConfigError, match="verifier.grounding.mode"):
        build(compose_config([*REMOTE, "verifier.grounding.mode=strict"]))


def test_the_mode_counts_in_the_run_digest_only_when_the_stage_runs():
    def run_digest(*overrides: str) -> str:
        return build(compose_config([*REMOTE, *overrides])).digests["run"]

    with_stage = "verifier.stages=[format,grounding]"
    assert run_digest(with_stage) != run_digest(with_stage, "verifier.grounding.mode=reject")
    # Without the stage its settings are left out, so runs started before it existed still resume.
    without = "verifier.stages=[format,dedup,execution]"
    assert run_digest(without) == run_digest(without, "verifier.grounding.mode=reject")


@pytest.mark.parametrize("query, arguments", [
    ("What's the print size of a 800x600 image at 300 DPI?", {"width_px": 800, "height_px": 600}),
    ("Find the factorial of 5,10 and 15.", {"n": 10}),
    ("What is the zodiac sign for November 21st?", {"month": 11, "day": 21}),
])
def test_numbers_written_together_or_as_month_names_are_traced(query, arguments):
    assert untraced_values(query, (ToolCall("f", arguments),), {}) == {}


def test_a_month_number_the_query_does_not_name_stays_untraced():
    assert untraced_values("What is the zodiac sign for November 21st?", (ToolCall("f", {"month": 10, "day": 21}),), {}) \
        == {"call 0 f.month": [10]}


def test_reject_made_up_is_the_default_and_also_rejects_made_up_calls_and_long_literals():
    """Rows the default chain kept in a real run, each wrong: a second call the query never asks
    for, and a chess position for "the given FEN"; an inferred string is still only flagged."""
    stage = stage_for(None)
    assert stage.mode == "reject_made_up"
    extra = Candidate("s-6", "s", 0, "parallel", ("are_anagrams",), "Are 'listen' and 'silent' anagrams?",
                      (ToolCall("are_anagrams", {"first": "listen", "second": "silent"}),
                       ToolCall("are_anagrams", {"first": "hello", "second": "world"})))
    verdict = asyncio.run(stage.check(extra, StageContext()))
    assert (verdict.passed, verdict.reason) == (False, "ungrounded_call")
    assert "call 1 are_anagrams" in verdict.detail and "call 0" not in verdict.detail.split(";")[0]
    fen = Candidate("s-7", "s", 0, "simple", ("validate_chess_fen",), "Is the given FEN string valid for a chess board?",
                    (ToolCall("validate_chess_fen", {"fen": "rnbqkbnr/pppppppp/8/8/8/PPPPPPPP/RNBQKBNR"}),))
    verdict = asyncio.run(stage.check(fen, StageContext()))
    assert (verdict.passed, verdict.reason) == (False, "ungrounded_literal")
    # the same FEN written in the query is traced; a long inferred value sharing the query's words is flagged only
    stated = Candidate("s-8", "s", 0, "simple", ("validate_chess_fen",),
                       "Is the FEN 'rnbqkbnr/pppppppp/8/8/8/PPPPPPPP/RNBQKBNR' valid?", fen.calls)
    assert asyncio.run(stage.check(stated, StageContext())).passed
    zone = Candidate("s-9", "s", 0, "simple", ("timezone_offset",), "What is the UTC offset of New York on 2024-07-15?",
                     (ToolCall("timezone_offset", {"zone": "America/New_York", "date": "2024-07-15"}),))
    zoned = asyncio.run(stage.check(zone, StageContext()))
    assert zoned.passed and zoned.data["flagged"] and zoned.data["untraced"] == {"call 0 timezone_offset.zone": ["America/New_York"]}
    # one inferred value is not a made-up call (one value, and the other one is in the query)
    water = Candidate("s-10", "s", 0, "simple", ("molar_mass",), "What is the molar mass of water?",
                      (ToolCall("molar_mass", {"formula": "H2O"}),))
    assert asyncio.run(stage.check(water, StageContext())).passed
