"""The grounding stage: every argument value of every call is traced to the query text, so a call
whose values the model made up (a range 10..80 filled in as 10, 20, ..., 80) is caught without an
LLM. Deterministic and explainable: the verdict lists each value not found, per argument.

A value is traced when it equals its parameter's schema ``default`` (or a default its description
documents: "Default is 0."), or:
  - a string: its words occur in the query as whole words, in order, folded like the matcher
    folds text ("art" is not found in "start"); or it reads as a number, a date, a clock time
    ("14:00" for "2 PM") or an ISO date-time written in the query;
  - a number: equal (within tolerance) to a number written in the query as digits ("1,000",
    "3.5", "$20", "5%", which also traces 0.05, "1.5 million", "5k"), in words ("five", "twenty
    one", "a hundred") or as a simple word form ("twice", "a dozen", "third");
  - a list: each item on its own; an object: each leaf value on its own.
Enum values are strings like any other: traced only when the query names them. Booleans and
nulls are exempt (a query says "include details", not "true") and recorded as such.
``verifier.grounding.mode``: "flag" passes the candidate and records the untraced values;
"reject" rejects it as ``ungrounded_value``; "reject_numbers" rejects it as ``ungrounded_number``
when an untraced value is a number or a date (a year for "October 5", 10, 20, ..., 80 for "between
10 and 80": values a query leaves open, which a small model fills in) and flags the other untraced
values (mostly strings inferred from the query: "H2O" for water, "LHR" for Heathrow).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apigen.catalog import Catalog
from apigen.matching.normalize import (
    find_dates,
    find_numbers,
    find_times,
    is_identifier_like,
    numbers_equal,
    parse_date,
    parse_datetime,
    parse_number,
    parse_time,
    tokens,
)
from apigen.matching.values import equals_default, property_schema
from apigen.records import Candidate, ToolCall, Verdict
from apigen.verify.chain import StageContext, StageEnv

# Word forms of small numbers that find_numbers does not read (it reads cardinals only).
_WORD_FORMS = {"once": 1, "twice": 2, "thrice": 3, "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4,
               "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
               # Periods that imply a count: "next week" -> 7 days, "monthly" -> 12 a year.
               "week": 7, "fortnight": 14, "monthly": 12, "quarterly": 4, "annually": 1, "yearly": 1}


# Month names whose number a month argument may take; "may" and "march" are left out (also verbs).
_MONTH_NUMBERS = {name: i for i, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"), start=1) if name not in ("may", "march")}


@dataclass(frozen=True)
class QueryFacts:
    """What a query writes: its word tokens, its numbers, its dates and its clock times."""

    words: tuple[str, ...]
    numbers: tuple[float, ...]
    dates: frozenset[dt.date]
    times: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def of(cls, query: str) -> QueryFacts:
        words = tuple(tokens(query))
        numbers = find_numbers(query) + [float(_WORD_FORMS[w]) for w in words if w in _WORD_FORMS]
        numbers += [float(m.group(1).replace(",", "")) / 100 for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(?:%|percent)", query)]
        numbers += [float(_MONTH_NUMBERS[w]) for w in words if w in _MONTH_NUMBERS]  # "November" -> month 11
        return cls(words, tuple(numbers), frozenset(find_dates(query)), frozenset(find_times(query)))

    def names(self, text: str) -> bool:
        """True when the text's tokens, joined, equal a run of whole query tokens joined: token
        boundaries hold at both ends, while "e-mail" still finds "email"."""
        target = "".join(tokens(text))
        if not target:
            return False
        for i in range(len(self.words)):
            joined = ""
            for j in range(i, len(self.words)):
                joined += self.words[j]
                if not target.startswith(joined):
                    break
                if joined == target:
                    return True
        return False

    def has_number(self, value: float) -> bool:
        return any(numbers_equal(value, n) for n in self.numbers)


@dataclass
class Trace:
    """Untraced and exempt values, per argument path ("call 0 normalize.values")."""

    untraced: dict[str, list[Any]] = field(default_factory=dict)
    exempt: dict[str, list[Any]] = field(default_factory=dict)
    traced: int = 0  # values found in the query (defaults not counted)
    # Calls with at least MADE_UP_CALL_VALUES values to trace and none found in the query.
    calls_made_up: list[str] = field(default_factory=list)
    # Untraced strings of at least MADE_UP_LITERAL_CHARS characters sharing no word with the query.
    literals_made_up: dict[str, list[str]] = field(default_factory=dict)

    def numbers(self) -> dict[str, list[Any]]:
        """The untraced values that are numbers or dates (numeric strings included)."""
        found = {path: [v for v in values if is_numeric(v)] for path, values in self.untraced.items()}
        return {path: values for path, values in found.items() if values}


# Inference fills in one value ("H2O" for water, "EUR" for euros), not a whole call: a call whose
# two or more values all miss the query is a call the query does not ask for ("hello", "world"
# added to "Are 'listen' and 'silent' anagrams?").
MADE_UP_CALL_VALUES = 2
# A long literal cannot be inferred from a query that shares none of its words (a chess FEN for
# "Is the given FEN string valid?"); "America/New_York" for "New York" shares "new" and "york".
MADE_UP_LITERAL_CHARS = 16


def is_numeric(value: Any) -> bool:
    """A number, or a string of figures: a number, a date, a time or a date-time ("3.5",
    "2023-10-05", "22:00", "2023-04-15T10:00:00"), or a string with more digits than letters
    ("00:01:30:12", "555-0134", a VAT number "ES 567 890 123"; not "H2O" or "PM2.5")."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if not isinstance(value, str):
        return False
    digits, letters = sum(c.isdigit() for c in value), sum(c.isalpha() for c in value)
    if digits > letters:  # figures, or a code made mostly of them ("ES 567 890 123", "978-0451")
        return True
    if parse_date(value) is not None or parse_datetime(value) is not None:
        return True
    return not is_identifier_like(value) and parse_number(value) is not None


_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")


def documented_default(value: Any, schema: dict | None) -> bool:
    """True when the schema's description documents a default ("Optional, default is 0.") and the
    value is what the sentence names after the word: BFCL-style schemas state defaults in words only."""
    description = schema.get("description") if schema is not None else None
    if not isinstance(description, str) or "default" not in description.lower():
        return False
    # The words after "default" up to the sentence's end: "Default is 0." names 0, while the
    # other values a sentence lists before it ("'c' or 'f', default 'c'") are not defaults.
    tails = [s[s.lower().index("default"):] for s in _SENTENCE_END.split(description) if "default" in s.lower()]
    return any(_traced(value, QueryFacts.of(tail)) for tail in tails)


def _traced(value: Any, facts: QueryFacts) -> bool:
    if isinstance(value, (int, float)):
        return facts.has_number(value)
    if not isinstance(value, str) or not value.strip():
        return False
    if facts.names(value):
        return True
    number = None if is_identifier_like(value) else parse_number(value)
    if number is not None:
        return facts.has_number(number)
    clock = parse_time(value)
    if clock is not None:
        return clock in facts.times
    moment = parse_datetime(value)
    if moment is not None:  # "2023-04-18T10:00:00" for "4/18/2023 at 10:00 AM": both parts written
        return moment[0] in facts.dates and moment[1] in facts.times
    day = parse_date(value)
    return day is not None and day in facts.dates


def _trace_value(value: Any, schema: dict | None, facts: QueryFacts, path: str, trace: Trace) -> None:
    if equals_default(value, schema):
        return
    if isinstance(value, bool) or value is None:
        trace.exempt.setdefault(path, []).append(value)
    elif isinstance(value, (list, tuple)):
        items = schema.get("items") if schema is not None else None
        for item in value:
            _trace_value(item, items if isinstance(items, dict) else None, facts, path, trace)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _trace_value(inner, property_schema(schema, key), facts, f"{path}.{key}", trace)
    elif _traced(value, facts):
        trace.traced += 1
    elif not documented_default(value, schema):
        trace.untraced.setdefault(path, []).append(value)


def trace_calls(query: str, calls: Sequence[ToolCall], schemas: Mapping[str, dict]) -> Trace:
    """The untraced and exempt values of every call; ``schemas`` maps a function name to its JSON
    Schema ``parameters`` (a function without one is traced without defaults)."""
    facts, trace = QueryFacts.of(query), Trace()
    for i, call in enumerate(calls):
        schema = schemas.get(call.name) if isinstance(call.name, str) else None
        schema = schema if isinstance(schema, dict) else None
        if not isinstance(call.arguments, dict):
            trace.untraced.setdefault(f"call {i} {call.name}", []).append(call.arguments)
            continue
        traced_before, untraced_before = trace.traced, _untraced_count(trace)
        for arg, value in call.arguments.items():
            _trace_value(value, property_schema(schema, arg), facts, f"call {i} {call.name}.{arg}", trace)
        if trace.traced == traced_before and _untraced_count(trace) - untraced_before >= MADE_UP_CALL_VALUES:
            trace.calls_made_up.append(f"call {i} {call.name}")
    query_words = set(facts.words)
    for path, values in trace.untraced.items():
        literals = [v for v in values if isinstance(v, str) and len(v) >= MADE_UP_LITERAL_CHARS
                    and query_words.isdisjoint(tokens(v))]
        if literals:
            trace.literals_made_up[path] = literals
    return trace


def _untraced_count(trace: Trace) -> int:
    return sum(len(values) for values in trace.untraced.values())


def untraced_values(query: str, calls: Sequence[ToolCall], schemas: Mapping[str, dict]) -> dict[str, list[Any]]:
    """Per argument path ("call 0 normalize.values"), the values not found in the query."""
    return trace_calls(query, calls, schemas).untraced


def _describe(untraced: dict[str, list[Any]]) -> str:
    parts = [f"{path}: {', '.join(json.dumps(v, ensure_ascii=False, default=repr)[:60] for v in values)}"
             for path, values in untraced.items()]
    text = "not found in the query: " + "; ".join(parts)
    return text if len(text) <= 400 else text[:397] + "..."


class GroundingStage:
    name = "grounding"

    def __init__(self, catalog: Catalog, mode: str):
        self.catalog, self.mode = catalog, mode

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        try:
            trace = trace_calls(candidate.query, candidate.calls, self.catalog.parameters(c.name for c in candidate.calls))
        except Exception as exc:  # a checker bug must reject the candidate, not end the run
            return Verdict(candidate.candidate_id, self.name, False, "checker_error", f"{type(exc).__name__}: {exc}")
        numbers = trace.numbers() if self.mode in ("reject_numbers", "reject_made_up") else {}
        made_up = self.mode == "reject_made_up" and (trace.calls_made_up or trace.literals_made_up)
        flagged = bool(trace.untraced) and self.mode != "reject" and not numbers and not made_up
        context.untraced = trace.untraced
        data: dict[str, Any] = {"untraced": trace.untraced, "mode": self.mode, "flagged": flagged}
        if trace.exempt:
            data["exempt"] = trace.exempt
        if trace.untraced and self.mode == "reject":
            return Verdict(candidate.candidate_id, self.name, False, "ungrounded_value", _describe(trace.untraced), data)
        if numbers:
            return Verdict(candidate.candidate_id, self.name, False, "ungrounded_number", _describe(numbers), data)
        if made_up and trace.calls_made_up:
            detail = "no value found in the query: " + ", ".join(trace.calls_made_up) + "; " + _describe(trace.untraced)
            return Verdict(candidate.candidate_id, self.name, False, "ungrounded_call", detail[:400], data)
        if made_up:
            return Verdict(candidate.candidate_id, self.name, False, "ungrounded_literal", _describe(trace.literals_made_up), data)
        return Verdict(candidate.candidate_id, self.name, True, "ok", _describe(trace.untraced) if flagged else "", data)


def build_stage(env: StageEnv) -> GroundingStage:
    return GroundingStage(env.catalog, env.cfg.verifier.grounding.mode)
