"""Scoring calls against *possible answers*, BFCL's AST checker's rules (for evaluating models).

A possible answer lists, per expected call, ``{function: {argument: [acceptable values]}}``;
``""`` among the values means the argument may be left out. A reference made of concrete calls
becomes one with ``possible_answers``. The rules follow bfcl-eval's ``ast_checker`` (Python):

- as many calls as expected; each expected call takes, in order, the first still unpaired call
  that matches it (order-free, BFCL's greedy pairing);
- the function name is equal; every ``required`` parameter is present; every given argument is
  a declared parameter *and* appears in the possible answer;
- types are strict: an integer for a ``number`` is accepted (Python's int -> float), nothing else
  converts ("5" is not 5, 1 is not true); a value of the possible answers' own type is accepted
  too (BFCL's "variable" case); list items are type-checked one level deep;
- strings equal after BFCL's standardisation (lowercase; spaces and ``,./-_*^`` removed; ``'`` as
  ``"``), also inside lists and objects; lists in order; objects key by key against the
  acceptable values of each key; anything else by equality;
- an acceptable-values list without ``""`` must be answered.

Codes: those of apigen.matching.calls plus ``type_mismatch``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from apigen.matching.calls import OK, MatchResult
from apigen.records import ToolCall

PossibleCall = Mapping[str, Mapping[str, list[Any]]]  # {function: {argument: [acceptable values]}}

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (float, int), "boolean": (bool,), "array": (list,), "object": (dict,),
}
_STANDARDIZE = re.compile(r"[ ,./\-_*^]")


def possible_answers(calls: Sequence[ToolCall], schemas: Mapping[str, dict] | None = None) -> tuple[dict[str, dict[str, list[Any]]], ...]:
    """Concrete reference calls as possible answers: each value is the one acceptable value, and
    also optional ("") where it equals the parameter's schema ``default``."""
    out = []
    for call in calls:
        properties = ((schemas or {}).get(call.name) or {}).get("properties") or {}
        arguments = {}
        for key, value in call.arguments.items():
            sub: dict[str, Any] = properties[key] if isinstance(properties.get(key), dict) else {}
            arguments[key] = [value, ""] if "default" in sub and sub["default"] == value else [value]
        out.append({call.name: arguments})
    return tuple(out)


def standardize(text: str) -> str:
    return _STANDARDIZE.sub("", text).lower().replace("'", '"')


def _type_name(schema: Any) -> str | None:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return kind if isinstance(kind, str) and kind in _JSON_TYPES else None


def _is_type(value: Any, kind: str) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    return isinstance(value, _JSON_TYPES[kind])


def _answer_type(acceptable: list[Any]) -> type | None:
    return next((type(v) for v in acceptable if v != ""), None)


def _nested_ok(value: list, item_kind: str, acceptable: list[Any]) -> bool:
    """BFCL's one-level check of list items: each item has the item type, or the type of the
    corresponding acceptable list's items (its "variable" rule)."""
    for option in acceptable:
        if not isinstance(option, list):
            return True  # BFCL's check passes on any option that is not a list ("" included)
        option_type = _answer_type(option)
        if all(type(item) is _exact(item_kind) or (option_type is not None and type(item) is option_type) for item in value):
            return True
    return False


def _exact(kind: str) -> type:
    # BFCL compares type(value) == expected exactly: a float list item must be a float.
    return {"string": str, "integer": int, "number": float, "boolean": bool, "array": list, "object": dict}[kind]


def _std(value: Any) -> Any:
    return standardize(value) if isinstance(value, str) else value


def _dict_ok(value: dict, acceptable: list[Any]) -> bool:
    for option in acceptable:
        if option == "" or not isinstance(option, dict):
            continue
        if all(key in option and _std(v) in [_std(a) for a in option[key]] for key, v in value.items()) and \
                all(key in value or "" in vals for key, vals in option.items()):
            return True
    return False


def _list_of_dicts_ok(value: list, acceptable: list[Any]) -> bool:
    # "" (may be omitted) has length 0 in BFCL's loop, so it accepts an empty list.
    return any((option == "" and not value) or (isinstance(option, list) and len(option) == len(value)
               and all(isinstance(v, dict) and _dict_ok(v, [o]) for v, o in zip(value, option)))
               for option in acceptable)


def _value_problem(key: str, value: Any, acceptable: list[Any], schema: dict) -> tuple[str, str] | None:
    kind = _type_name(schema)
    if kind == "number" and type(value) is int:
        value = float(value)
    variable = False
    if kind is not None:
        answer_type = _answer_type(acceptable)
        variable = answer_type is not None and answer_type is not _exact(kind) and not (kind == "number" and answer_type is int)
        if _is_type(value, kind) and (kind != "number" or isinstance(value, float)):
            item_kind = _type_name(schema.get("items")) if kind == "array" else None
            if item_kind is not None and not _nested_ok(value, item_kind, acceptable):
                return "type_mismatch", f"argument '{key}': items of {_show(value)} are not all {item_kind}"
        elif answer_type is not None and type(value) is answer_type:
            variable = True
        else:
            return "type_mismatch", f"argument '{key}': expected {kind}, got {type(value).__name__} {_show(value)}"
    if not variable:
        item_kind = _type_name(schema.get("items")) if kind == "array" else None
        if kind == "object" and isinstance(value, dict):
            return None if _dict_ok(value, acceptable) else _mismatch(key, value, acceptable)
        if kind == "array" and item_kind == "object" and isinstance(value, list):
            return None if _list_of_dicts_ok(value, acceptable) else _mismatch(key, value, acceptable)
        if isinstance(value, str):
            ok = standardize(value) in [standardize(a) for a in acceptable if isinstance(a, str)]
            return None if ok else _mismatch(key, value, acceptable)
        if isinstance(value, list):
            # BFCL iterates every option, so a string option ("" included) acts as its characters.
            options = [[_std(v) for v in a] for a in acceptable if isinstance(a, (list, str))]
            return None if [_std(v) for v in value] in options else _mismatch(key, value, acceptable)
    return None if _contains(acceptable, value) else _mismatch(key, value, acceptable)


def _contains(acceptable: list[Any], value: Any) -> bool:
    # Python's ``in``, as BFCL's checker uses it (1 == 1.0; the type check ran before).
    return any(a == value for a in acceptable)


def _mismatch(key: str, value: Any, acceptable: list[Any]) -> tuple[str, str]:
    values = [a for a in acceptable if a != ""]
    expected = f"one of {_show(values)}" if values else "no value (it should be left out)"
    return "value_mismatch", f"argument '{key}': got {_show(value)}, expected {expected}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def match_possible_call(expected: PossibleCall, actual: ToolCall, schema: dict | None) -> MatchResult:
    """One call against one possible answer ({function: {argument: [acceptable values]}})."""
    (name, answer), = expected.items()
    if getattr(actual, "name", None) != name:
        return MatchResult(False, "function_mismatch", f"expected function '{name}', got {_show(getattr(actual, 'name', None))}")
    arguments = actual.arguments if isinstance(actual.arguments, dict) else None
    if arguments is None:
        return MatchResult(False, "value_mismatch", f"'{name}': arguments are not an object")
    schema = schema if isinstance(schema, dict) else {}
    properties: dict[str, Any] = schema["properties"] if isinstance(schema.get("properties"), dict) else {}
    for required in schema.get("required") or []:
        if required not in arguments:
            return MatchResult(False, "missing_argument", f"'{name}': required argument '{required}' is missing")
    for key, value in arguments.items():
        if key not in properties or key not in answer:
            return MatchResult(False, "unexpected_argument", f"'{name}': argument '{key}' is not expected")
        problem = _value_problem(key, value, list(answer[key]), properties[key] if isinstance(properties[key], dict) else {})
        if problem is not None:
            return MatchResult(False, problem[0], f"'{name}' {problem[1]}")
    for key, acceptable in answer.items():
        if key not in arguments and "" not in acceptable:
            return MatchResult(False, "missing_argument", f"'{name}': argument '{key}' is missing")
    return OK


def match_possible(expected: Sequence[PossibleCall], actual: Sequence[ToolCall], schemas: Mapping[str, dict]) -> MatchResult:
    """Calls against possible answers, order-free: each expected call takes the first unpaired
    call that matches it. The number of calls must be equal."""
    if len(expected) != len(actual):
        return MatchResult(False, "call_count_mismatch", f"expected {len(expected)} call(s), got {len(actual)}")
    expected_names = sorted(next(iter(p)) for p in expected)
    actual_names = sorted(str(getattr(c, "name", "")) for c in actual)
    if expected_names != actual_names:
        return MatchResult(False, "function_mismatch", f"expected calls of {expected_names}, got {actual_names}")
    free = list(range(len(actual)))
    for i, possible in enumerate(expected):
        name = next(iter(possible))
        results = [(j, match_possible_call(possible, actual[j], schemas.get(name))) for j in free]
        paired = next((j for j, result in results if result), None)
        if paired is None:
            first = results[0][1] if len(results) == 1 else _closest(results)
            return MatchResult(False, first.reason, f"expected call {i} has no match: {first.detail}")
        free.remove(paired)
    return OK


def _closest(results: list[tuple[int, MatchResult]]) -> MatchResult:
    """The most telling failure: one with the right function name when there is one."""
    return next((r for _, r in results if r.reason != "function_mismatch"), results[0][1])
