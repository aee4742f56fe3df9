"""Stage 1: one test per reason code, placeholder precision, and a property test that the parser
and the checker never raise on arbitrary input."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apigen.catalog import Catalog
from apigen.parsing import parse_completion
from apigen.records import ApiSpec, Candidate, Completion, ExecutorBinding, SampleRequest, ToolCall
from apigen.verify.format import FormatChecker
from apigen.verify.placeholders import placeholder_reason
from apigen.verify.reasons import CODES, REASONS, describe

WEATHER = {
    "name": "get_weather", "description": "Weather for a city.", "category": "Weather",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 14},
            "lat": {"type": "number"},
            "options": {"type": "object", "properties": {"hourly": {"type": "boolean"}, "tags": {"type": "array", "items": {"type": "string"}}}},
            "stations": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "weight": {"type": "number"}},
                                                     "required": ["id"]}},
        },
        "required": ["city"],
    },
}
CONVERT = {
    "name": "convert", "description": "Convert an amount.", "category": "Finance",
    "parameters": {"type": "object", "properties": {"amount": {"type": "number"}, "to": {"type": "string"}}, "required": ["amount", "to"]},
}


def spec_from_dict(data: dict) -> ApiSpec:
    return ApiSpec(data["name"], data["description"], data["category"], data["parameters"], ExecutorBinding("none"))


CATALOG = Catalog((spec_from_dict(WEATHER), spec_from_dict(CONVERT)))
CHECKER = FormatChecker(CATALOG)


def candidate(calls: list[tuple[str, dict]], style: str = "simple", query: str = "What is the weather in Paris?",
              apis: tuple[str, ...] = ("get_weather", "convert")) -> Candidate:
    return Candidate("c-0", "s", 0, style, apis, query, tuple(ToolCall(n, a) for n, a in calls))


def verdict(*args, **kwargs):
    return CHECKER.verdict(candidate(*args, **kwargs))


def test_good_call_passes_and_an_integer_is_accepted_for_a_number():
    v = verdict([("get_weather", {"city": "Paris", "unit": "celsius", "days": 3, "lat": 48,
                                  "options": {"hourly": True, "tags": ["rain"]}, "stations": [{"id": "LFPG", "weight": 1}]})])
    assert v.passed, v.detail


@pytest.mark.parametrize("calls, style, code, where", [
    ([("get_forecast", {"city": "Paris"})], "simple", "unknown_function", "get_forecast"),
    ([("get_weather", {"city": "Paris", "country": "FR"})], "simple", "unknown_argument", "country"),
    ([("get_weather", {"unit": "celsius"})], "simple", "missing_required_argument", "city"),
    ([("get_weather", {"city": 75001})], "simple", "wrong_argument_type", "city"),
    ([("get_weather", {"city": "Paris", "days": 2.0})], "simple", "wrong_argument_type", "days"),
    ([("get_weather", {"city": "Paris", "days": True})], "simple", "wrong_argument_type", "days"),
    ([("get_weather", {"city": "Paris", "lat": "48.8"})], "simple", "wrong_argument_type", "lat"),
    ([("get_weather", {"city": "Paris", "options": {"hourly": "yes"}})], "simple", "wrong_argument_type", "options.hourly"),
    ([("get_weather", {"city": "Paris", "options": {"tags": ["a", 1]}})], "simple", "wrong_argument_type", "options.tags.1"),
    ([("get_weather", {"city": "Paris", "stations": [{"weight": 1.5}]})], "simple", "missing_required_argument", "id"),
    ([("get_weather", {"city": "Paris", "unit": "kelvin"})], "simple", "invalid_enum_value", "kelvin"),
    ([("get_weather", {"city": "Paris", "days": 30})], "simple", "constraint_violation", "days"),
    ([("get_weather", {"city": "<city>"})], "simple", "placeholder_value", "city"),
    ([("get_weather", {"city": "Paris", "stations": [{"id": "xxx"}]})], "simple", "placeholder_value", "stations[0].id"),
    ([("get_weather", {"city": "Paris", "options": {"tags": ["TBD"]}})], "simple", "placeholder_value", "options.tags[0]"),
    ([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})], "simple", "call_count_mismatch", "simple"),
    ([("get_weather", {"city": "Paris"})], "parallel", "call_count_mismatch", "parallel"),
    ([("get_weather", {"city": "Paris"})], "parallel_multiple", "call_count_mismatch", "two or more calls"),
    ([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Paris"})], "parallel", "duplicate_call", "repeats"),
    ([], "simple", "no_calls", "no function call"),
])
def test_each_code(calls, style, code, where):
    v = verdict(calls, style)
    assert (v.passed, v.reason) == (False, code), v.detail
    assert where in v.detail
    assert code in CODES and describe("format", code) != "(undocumented reason code)"


def test_empty_query_and_styles_that_pass():
    assert verdict([("get_weather", {"city": "Paris"})], query="   ").reason == "empty_query"
    two = [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]
    assert verdict(two, "parallel").passed
    assert verdict([("get_weather", {"city": "Paris"}), ("convert", {"amount": 5, "to": "EUR"})], "parallel_multiple").passed
    # BFCL's parallel_multiple may call one offered function several times (parallel_multiple_3).
    assert verdict(two, "parallel_multiple").passed


def test_a_function_not_offered_in_the_prompt_is_unknown_even_if_in_the_catalog():
    v = verdict([("convert", {"amount": 1, "to": "USD"})], apis=("get_weather",))
    assert v.reason == "unknown_function"


PLACEHOLDERS = ["string", "value", "<city>", "<your api key>", "your_api_key", "YOUR_API_KEY", "my api key",
                "https://example.com/data", "user@example.com", "api.example.org", "YYYY-MM-DD", "mm/dd/yyyy",
                "HH:MM", "xxx", "XXXXXXXX", "TBD", "N/A", "...", "…", "{city}", "{{ city }}", "${CITY}",
                "[insert city here]", "insert your city", "lorem ipsum", "foo", "null"]
REALISTIC = ["Paris", "New York", "São Paulo", "2024-05-01", "2024-05-01T10:00", "12:30", "john.smith@gmail.com",
             "https://api.weather.gov/points/39.7,-104.9", "EUR", "Xavier", "Max", "example of a haiku about rain",
             "Your order has shipped", "What is 2 + 2?", "my-app", "AAPL", "NA-1234", "sample size 30",
             "The quick brown fox", "Stringer Bell", "valued customer", "mid", "xx", "M", "Dr. Who?", "<3 love it", "C++"]


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders_are_flagged(value):
    assert placeholder_reason(value, "destination") is not None


@pytest.mark.parametrize("value", REALISTIC)
def test_realistic_values_are_not_flagged(value):
    assert placeholder_reason(value, "destination") is None


def test_value_equal_to_its_parameter_name_or_type_is_a_placeholder_but_an_enum_value_is_not():
    assert verdict([("get_weather", {"city": "City"})]).reason == "placeholder_value"
    assert verdict([("convert", {"amount": 1, "to": "string"})]).reason == "placeholder_value"
    enum_spec = {"name": "pick", "description": "", "category": "x",
                 "parameters": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["mode", "value"]}}}}
    checker = FormatChecker(Catalog((spec_from_dict(enum_spec),)))
    assert checker.verdict(candidate([("pick", {"mode": "value"})], apis=("pick",))).passed


def test_every_reason_code_is_documented_once():
    keys = [(r.stage, r.code) for r in REASONS]
    assert len(keys) == len(set(keys))
    assert all(r.meaning for r in REASONS)


# ---- property: arbitrary input never makes the parser or the checker raise ----------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=25,
)
NAMES = st.sampled_from(["get_weather", "convert", "", "nope", "city"]) | st.text(max_size=10)
CALL = st.fixed_dictionaries({"name": NAMES | JSON, "arguments": st.dictionaries(
    st.sampled_from(["city", "unit", "days", "lat", "options", "stations", "amount", "to"]) | st.text(max_size=6), JSON, max_size=5) | JSON})
PAIR = st.fixed_dictionaries({"query": st.text(max_size=30) | JSON, "answers": st.lists(CALL, max_size=3) | JSON}) | JSON
REPLY = st.fixed_dictionaries({"pairs": st.lists(PAIR, max_size=3)}) | st.lists(PAIR, max_size=3) | JSON
STYLES = st.sampled_from(["simple", "multiple", "parallel", "parallel_multiple", "weird"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reply=REPLY | st.text(max_size=200), style=STYLES, fenced=st.booleans(), finish=st.sampled_from(["stop", "length", ""]))
def test_parser_and_checker_never_raise(reply, style, fenced, finish):
    text = reply if isinstance(reply, str) else json.dumps(reply)
    if fenced:
        text = f"```json\n{text}\n```"
    request = SampleRequest("s", 0, style, ("get_weather", "convert"), (), "t", 1)
    candidates = parse_completion(request, Completion("s", text, finish_reason=finish))
    assert candidates
    for c in candidates:
        v = CHECKER.verdict(c)
        assert v.reason != "checker_error", v.detail
        assert v.passed or v.reason in CODES


@settings(max_examples=200, deadline=None)
@given(calls=st.lists(st.tuples(NAMES, st.dictionaries(st.text(max_size=8), JSON, max_size=5)), max_size=4),
       query=st.text(max_size=40), style=STYLES)
def test_checker_never_raises_on_arbitrary_candidates(calls, query, style):
    v = CHECKER.verdict(candidate(calls, style, query))
    assert v.reason != "checker_error", v.detail
    assert v.passed or v.reason in CODES


def test_a_query_that_echoes_a_few_shot_example_is_rejected():
    from apigen.catalog import load_catalog
    from apigen.sampling import load_examples

    from conftest import TEST_DATA

    catalog_for_echo = load_catalog([str(TEST_DATA / "calc_catalog.py")])
    seed_queries = [e.query for e in load_examples("builtin:prompts/fewshot/seed.jsonl")]
    checker = FormatChecker(catalog_for_echo, example_queries=seed_queries)

    def verdict(query):
        cand = Candidate("c-0", "s", 0, "simple", ("divide",), query, (ToolCall("divide", {"a": 1, "b": 2}),))
        return checker.verdict(cand)

    copied = verdict("What's the air quality in Delhi, and how many calories are in 150 grams of cooked rice?")
    assert (copied.passed, copied.reason) == (False, "copied_example") and "Delhi" in copied.detail
    assert verdict("What is 1 divided by 2?").passed
    assert verdict("Give me the population of Peru.").passed  # shares words with a seed query, not most of them


# ---- false rejections of correct data (found on BFCL's ground truth, apigen/bfcl) ---------------

EXTRA = Catalog(tuple(spec_from_dict({"name": n, "description": n, "category": "x", "parameters": {"type": "object", "properties": p}})
                      for n, p in (
    ("send_email", {"to": {"type": "string"}, "dataset": {"type": "string"}, "note": {"type": "string"}}),
    ("club", {"name": {"type": "string"}, "event": {"type": "string", "default": "null"}}),
    ("clock", {"format": {"type": "string"}, "timeFormat": {"type": "string"}, "date": {"type": "string"},
               "formatted_date": {"type": "string"}}),
    ("draw", {"mu": {"type": "integer"}, "sigma": {"type": "integer"}}),
)))
EXTRA_CHECKER = FormatChecker(EXTRA)


def extra(calls: list[tuple[str, dict]], query: str, style: str = "simple"):
    return EXTRA_CHECKER.verdict(candidate(calls, style, query, apis=tuple(EXTRA.names)))


def test_the_schemas_own_default_is_not_a_placeholder():
    # BFCL parallel_multiple_75: chess_club_details.find's "event" declares default "null".
    assert extra([("club", {"name": "Knight Gambit", "event": "null"})], "Events of the Knight Gambit club?").passed
    assert extra([("club", {"name": "null"})], "Events of the Knight Gambit club?").reason == "placeholder_value"


@pytest.mark.parametrize("value, query", [
    ("john.doe@example.com", "Send an email to John Doe at John.Doe@Example.com saying hi."),  # simple_python_211
    ("your_dataset_name", "Train a random forest classifier on dataset your_dataset_name."),  # simple_python_106
    ("null", "Set the note to 'null' exactly."),  # a template word counts when the query quotes it
])
def test_a_value_the_query_states_is_not_a_placeholder(value, query):
    assert extra([("send_email", {"note": value})], query).passed
    assert extra([("send_email", {"note": value})], "Send an email to my colleague.").reason == "placeholder_value"


@pytest.mark.parametrize("value, query", [
    ("<city>", "What is the weather in <city>?"),  # a template in the query is still a template
    ("...", "Send ... to Bob"),
    ("xxx-xxx-xxxx", "Call me at xxx-xxx-xxxx"),
    ("string", "Reverse the string for me."),  # plain words the query merely uses
    ("note", "Add a note."),
    ("example.com", "Open example.com.org"),  # not the same whole value
])
def test_a_query_that_only_seems_to_state_the_value_does_not_excuse_it(value, query):
    assert extra([("send_email", {"note": value})], query).reason == "placeholder_value"


def test_a_date_template_is_a_real_value_of_a_format_parameter():
    # BFCL simple_python_377: get_current_time(format="HH:MM:SS").
    query = "What time is it in Sydney?"
    assert extra([("clock", {"format": "HH:MM:SS", "timeFormat": "YYYY-MM-DD"})], query).passed
    assert extra([("clock", {"date": "YYYY-MM-DD"})], query).reason == "placeholder_value"
    assert extra([("clock", {"formatted_date": "YYYY-MM-DD"})], query).reason == "placeholder_value"


@pytest.mark.parametrize("query, allowed", [
    ("Generate four random numbers: two from a normal distribution with mean 5 and sd 2, two with mean 10 and sd 3.", True),
    ("Draw from N(5, 2) twice and from N(10, 3) twice.", True),
    ("Sample N(5, 2) 2 times and N(10, 3) two times.", True),
    ("Draw from N(5, 2), then draw from it again; then N(10, 3).", True),
    ("Draw once from each of N(5, 2) and N(10, 3).", False),  # 'each' names distinct draws
    ("What is 5 times 2, and a draw from N(10, 3)?", False),  # a product, not a repetition
    ("Draw from N(5, 2) and from N(10, 3).", False),
])
def test_identical_calls_only_when_the_query_asks_for_repeats(query, allowed):
    # BFCL parallel_158 calls random.normalvariate(5, 2) twice and (10, 3) twice.
    calls = [("draw", {"mu": 5, "sigma": 2}), ("draw", {"mu": 5, "sigma": 2}), ("draw", {"mu": 10, "sigma": 3})]
    v = extra(calls, query, "parallel")
    assert (v.passed, v.reason) == (True, "ok") if allowed else (v.passed, v.reason) == (False, "duplicate_call"), v.detail
