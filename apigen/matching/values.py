"""Whether two argument values are the same value (the rules are in apigen/matching/__init__.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apigen.matching.normalize import fold_text, is_identifier_like, numbers_equal, parse_date, parse_number

_MISSING = object()


def values_match(expected: Any, actual: Any, schema: dict | None = None) -> bool:
    """True when ``actual`` is the same value as ``expected`` under the matching rules; ``schema``
    is the value's JSON Schema (its ``enum``, ``items``, ``properties`` and ``default`` are used)."""
    try:
        return _match(expected, actual, schema if isinstance(schema, dict) else None)
    except Exception:  # odd input (deep recursion, exotic types) is a non-match, never an error
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _match(expected: Any, actual: Any, schema: dict | None) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return _bool_of(expected) is not None and _bool_of(expected) == _bool_of(actual)
    if expected is None or actual is None:
        return expected is None and actual is None
    if _is_number(expected) and _is_number(actual):
        return numbers_equal(expected, actual)
    if _is_number(expected) and isinstance(actual, str):
        return _number_equals_string(expected, actual)
    if isinstance(expected, str) and _is_number(actual):
        return _number_equals_string(actual, expected)
    if isinstance(expected, str) and isinstance(actual, str):
        return _strings_match(expected, actual, schema)
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        items = _subschema(schema, "items")
        return len(expected) == len(actual) and all(_match(e, a, items) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return next(object_differences(expected, actual, schema), None) is None
    return False


def _bool_of(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(fold_text(value))
    return None


def _number_equals_string(number: float, text: str) -> bool:
    parsed = parse_number(text)
    return parsed is not None and numbers_equal(number, parsed)


def _strings_match(expected: str, actual: str, schema: dict | None) -> bool:
    if schema is not None and isinstance(schema.get("enum"), list):
        return fold_text(expected) == fold_text(actual)  # enum members: spelling only, no readings
    e_num = None if is_identifier_like(expected) else parse_number(expected)
    a_num = None if is_identifier_like(actual) else parse_number(actual)
    if e_num is not None or a_num is not None:
        # A number on one side only, or two different numbers, never match: folding alone would
        # make "3.5" equal "35".
        return e_num is not None and a_num is not None and numbers_equal(e_num, a_num)
    if fold_text(expected) == fold_text(actual):
        return True
    e_day, a_day = parse_date(expected), parse_date(actual)
    if e_day is not None or a_day is not None:
        return e_day == a_day
    return _qualified(expected, actual) or _qualified(actual, expected)


def _qualified(short: str, long: str) -> bool:
    """"New York" vs "New York, NY": the same place with a trailing qualifier. Only when the short
    side has no comma and equals the long side's first comma segment exactly (after folding)."""
    if "," in short or "," not in long:
        return False
    head, tail = long.split(",", 1)
    folded = fold_text(short)
    return (any(ch.isalpha() for ch in folded) and folded == fold_text(head)
            and any(ch.isalpha() for ch in tail))


def _subschema(schema: dict | None, key: str) -> dict | None:
    sub = schema.get(key) if schema is not None else None
    return sub if isinstance(sub, dict) else None


def property_schema(schema: dict | None, key: str) -> dict | None:
    """The schema of one key of an object: its ``properties`` entry, else ``additionalProperties``."""
    properties = _subschema(schema, "properties")
    sub = properties.get(key) if properties is not None else None
    return sub if isinstance(sub, dict) else _subschema(schema, "additionalProperties")


def equals_default(value: Any, schema: dict | None) -> bool:
    """True when the schema declares a ``default`` and ``value`` matches it."""
    return schema is not None and "default" in schema and _match(schema["default"], value, schema)


def object_differences(expected: dict, actual: dict, schema: dict | None) -> Iterator[tuple[str, str, Any, Any]]:
    """(code, key, expected value, actual value) for each key of two objects that differs, in the
    expected object's key order, then the actual's extra keys. A key on one side only is accepted
    when its value equals the key's schema ``default``. Codes: value_mismatch, missing_argument
    (expected only), unexpected_argument (actual only); a one-sided value is reported as _MISSING
    on the other side."""
    for key in [*expected, *(k for k in actual if k not in expected)]:
        sub = property_schema(schema, key)
        e_value, a_value = expected.get(key, _MISSING), actual.get(key, _MISSING)
        if e_value is _MISSING:
            if not equals_default(a_value, sub):
                yield "unexpected_argument", key, e_value, a_value
        elif a_value is _MISSING:
            if not equals_default(e_value, sub):
                yield "missing_argument", key, e_value, a_value
        elif not _match(e_value, a_value, sub):
            yield "value_mismatch", key, e_value, a_value


def is_missing(value: Any) -> bool:
    return value is _MISSING
