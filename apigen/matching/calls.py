"""Matching whole calls and sets of calls (the rules are in apigen/matching/__init__.py)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apigen.matching.values import is_missing, object_differences
from apigen.records import ToolCall


@dataclass(frozen=True)
class MatchResult:
    """``reason`` is "ok" or one of call_count_mismatch, function_mismatch, value_mismatch,
    missing_argument, unexpected_argument; ``detail`` names the call and argument, expected vs got."""

    matched: bool
    reason: str
    detail: str

    def __bool__(self) -> bool:
        return self.matched


OK = MatchResult(True, "ok", "")


def _show(value: Any) -> str:
    if is_missing(value):
        return "(absent)"
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _name(call: Any) -> str | None:
    name = getattr(call, "name", None)
    return name if isinstance(name, str) else None


def _problems(expected: ToolCall, actual: ToolCall, schema: dict | None) -> list[tuple[str, str]]:
    """Every (reason, detail) that keeps two calls from matching; empty when they match."""
    e_name, a_name = _name(expected), _name(actual)
    if e_name is None or e_name != a_name:
        return [("function_mismatch", f"expected function {_show(e_name)}, got {_show(a_name)}")]
    e_args, a_args = getattr(expected, "arguments", None), getattr(actual, "arguments", None)
    if not isinstance(e_args, dict) or not isinstance(a_args, dict):
        return [("value_mismatch", f"'{e_name}': arguments are not both objects "
                                   f"(expected {type(e_args).__name__}, got {type(a_args).__name__})")]
    schema = schema if isinstance(schema, dict) else None
    return [(code, f"'{e_name}' argument '{key}': expected {_show(e_value)}, got {_show(a_value)}")
            for code, key, e_value, a_value in object_differences(e_args, a_args, schema)]


def match_call(expected: ToolCall, actual: ToolCall, schema: dict | None) -> MatchResult:
    """One call against another: the same function and matching arguments. ``schema`` is the
    function's JSON Schema ``parameters`` object (None: no defaults, no enums, no nested schemas)."""
    try:
        problems = _problems(expected, actual, schema)
    except Exception as exc:  # odd input is a non-match, never an error
        return MatchResult(False, "value_mismatch", f"calls could not be compared: {type(exc).__name__}")
    return MatchResult(False, *problems[0]) if problems else OK


def _schema_of(schemas: Any, name: str | None) -> dict | None:
    if name is None or not isinstance(schemas, Mapping):
        return None
    schema = schemas.get(name)
    return schema if isinstance(schema, dict) else None


def match_calls(expected: Sequence[ToolCall], actual: Sequence[ToolCall], schemas: Mapping[str, dict], *,
                ordered: bool = False) -> MatchResult:
    """A reference set of calls against another: the same functions, as many calls of each, and
    each call matching one call of the other side. ``ordered=False`` pairs the calls as a multiset
    (parallel calls in any order), ``ordered=True`` position by position."""
    if not isinstance(expected, Sequence) or not isinstance(actual, Sequence) or isinstance(expected, str) or isinstance(actual, str):
        return MatchResult(False, "call_count_mismatch", "the calls are not a sequence of calls")
    if len(expected) != len(actual):
        return MatchResult(False, "call_count_mismatch", f"expected {len(expected)} call(s), got {len(actual)}")
    e_named, a_named = [_name(c) for c in expected], [_name(c) for c in actual]
    if None in e_named or None in a_named:
        side, named = ("expected", e_named) if None in e_named else ("actual", a_named)
        return MatchResult(False, "function_mismatch", f"{side} call {named.index(None)} has no function name")
    e_names, a_names = [str(n) for n in e_named], [str(n) for n in a_named]
    e_count, a_count = Counter(e_names), Counter(a_names)
    if set(e_count) != set(a_count):
        return MatchResult(False, "function_mismatch", f"expected calls of {sorted(e_count)}, got {sorted(a_count)}")
    if e_count != a_count:
        return MatchResult(False, "call_count_mismatch", f"expected calls per function {dict(sorted(e_count.items()))}, "
                                                         f"got {dict(sorted(a_count.items()))}")
    if ordered:
        for i, (e, a) in enumerate(zip(expected, actual)):
            result = match_call(e, a, _schema_of(schemas, e_names[i]))
            if not result:
                return MatchResult(False, result.reason, f"call {i}: {result.detail}")
        return OK
    return _match_multiset(expected, actual, e_names, a_names, schemas)


def _match_multiset(expected: Sequence[ToolCall], actual: Sequence[ToolCall], e_names: list[str], a_names: list[str],
                    schemas: Any) -> MatchResult:
    """Pairs every expected call with a distinct actual call of the same name that matches it
    (a maximum bipartite matching by augmenting paths; call lists are small)."""
    problems = {(i, j): _safe_problems(expected[i], actual[j], _schema_of(schemas, e_names[i]))
                for i in range(len(expected)) for j in range(len(actual)) if e_names[i] == a_names[j]}
    partner: dict[int, int] = {}  # actual index -> expected index

    def augment(i: int, seen: set[int]) -> bool:
        for j in range(len(actual)):
            if (i, j) in problems and not problems[i, j] and j not in seen:
                seen.add(j)
                if j not in partner or augment(partner[j], seen):
                    partner[j] = i
                    return True
        return False

    unmatched = [i for i in range(len(expected)) if not augment(i, set())]
    if not unmatched:
        return OK
    i = unmatched[0]
    free = [j for j in range(len(actual)) if (i, j) in problems and j not in partner] or \
           [j for j in range(len(actual)) if (i, j) in problems]
    closest = min(free, key=lambda j: len(problems[i, j]))
    reason, detail = problems[i, closest][0] if problems[i, closest] else ("value_mismatch", "calls cannot be paired one to one")
    return MatchResult(False, reason, f"expected call {i} has no match; closest is call {closest}: {detail}")


def _safe_problems(expected: ToolCall, actual: ToolCall, schema: dict | None) -> list[tuple[str, str]]:
    try:
        return _problems(expected, actual, schema)
    except Exception as exc:  # odd input is a non-match, never an error
        return [("value_mismatch", f"calls could not be compared: {type(exc).__name__}")]
