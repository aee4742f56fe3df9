"""Wrong answers made from a BFCL item's correct one, each wrong in one known way.

Every generator yields candidate mutations in a seeded order; the caller keeps the first that
still passes the format check (a wrong answer the format stage rejects tests nothing further).
A changed value never appears in the query, is none of BFCL's acceptable values for that
argument and does not look like a placeholder, so the answer contradicts the query.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from apigen.bfcl.data import BfclItem
from apigen.records import ApiSpec, ToolCall
from apigen.verify.format import StrictValidator
from apigen.verify.placeholders import placeholder_reason


@dataclass(frozen=True)
class Mutation:
    calls: tuple[ToolCall, ...]
    change: str  # what was changed, for people


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_texts(value: float) -> set[str]:
    texts = {str(value)}
    if float(value).is_integer():
        texts.add(str(int(value)))
    return texts


def stated(value: Any, query: str) -> bool:
    """Whether the query states this scalar value, as a whole word or number."""
    if isinstance(value, str):
        text = value.strip().lower()
        return len(text) >= 2 and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", query.lower()) is not None
    if _is_number(value):
        return any(re.search(rf"(?<![\d.]){re.escape(t)}(?!\d|\.\d)", query) for t in _number_texts(value))
    return False


def absent(value: Any, query: str) -> bool:
    """Whether no text of the value occurs anywhere in the query (stricter than not ``stated``)."""
    if isinstance(value, str):
        return value.strip().lower() not in query.lower()
    return not any(t in query for t in _number_texts(value))


def _key(value: Any) -> Any:
    # BFCL compares strings without case, spaces or punctuation, numbers by value.
    if isinstance(value, str):
        return re.sub(r"[\W_]", "", value.lower())
    return float(value) if _is_number(value) else value


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def string_pool(items: Iterable[tuple[BfclItem, Sequence[ToolCall]]]) -> dict[str, list[str]]:
    """Argument name -> the string values BFCL's answers give it, sorted: replacements that are
    realistic values of the same parameter."""
    pool: dict[str, set[str]] = {}
    for _item, calls in items:
        for call in calls:
            for arg, value in call.arguments.items():
                if isinstance(value, str) and 2 <= len(value) <= 60 and placeholder_reason(value, arg) is None:
                    pool.setdefault(arg, set()).add(value)
    return {arg: sorted(values) for arg, values in pool.items()}


class Mutator:
    """Builds the wrong answers of one kind for an item; ``pool`` is ``string_pool`` of all items."""

    def __init__(self, pool: dict[str, list[str]]):
        self.pool = pool

    # ---- changing one value ---------------------------------------------------------------

    def _replacements(self, old: Any, arg: str, schema: dict[str, Any], acceptable: list[Any], query: str,
                      rng: random.Random) -> Iterator[Any]:
        taken = {_key(v) for v in acceptable if not isinstance(v, (list, dict))} | {_key(old)}
        options: list[Any]
        if isinstance(schema.get("enum"), list):
            options = [v for v in schema["enum"] if type(v) is type(old)]
            rng.shuffle(options)
        elif isinstance(old, str):
            options = [v for v in self.pool.get(arg, []) if not (_words(v) & _words(old))
                       and old.lower() not in v.lower() and v.lower() not in old.lower()]
            rng.shuffle(options)
        elif isinstance(old, int) and not isinstance(old, bool):
            options = [old * 2 + 3, old * 3 + 7, old + 11, old + 97]
        elif isinstance(old, float):
            options = [round(v, 6) for v in (old * 2 + 3, old * 3 + 7, old + 11.5, old + 97.25)]
        else:
            return
        for new in options:
            if _key(new) not in taken and absent(new, query) and (not isinstance(new, str) or placeholder_reason(new, arg) is None):
                yield new

    def value_changes(self, item: BfclItem, calls: Sequence[ToolCall], index: int,
                      rng: random.Random) -> Iterator[tuple[str, Any, Any]]:
        """(argument, old, new) for call ``index``: an argument whose value the query states,
        given a value of the same type that the query does not state."""
        call = calls[index]
        schema = _properties(item, call.name)
        expected = _expected(item, index, call.name)
        args = [a for a, v in call.arguments.items() if stated(v, item.question)]
        rng.shuffle(args)
        for arg in args:
            for new in self._replacements(call.arguments[arg], arg, schema.get(arg, {}), expected.get(arg, []), item.question, rng):
                yield arg, call.arguments[arg], new

    def wrong_value(self, item: BfclItem, calls: Sequence[ToolCall], rng: random.Random) -> Iterator[Mutation]:
        order = list(range(len(calls)))
        rng.shuffle(order)
        for i in order:
            for arg, old, new in self.value_changes(item, calls, i, rng):
                changed = ToolCall(calls[i].name, {**calls[i].arguments, arg: new})
                yield Mutation((*calls[:i], changed, *calls[i + 1:]),
                               f"call {i} '{calls[i].name}': {arg} {old!r} -> {new!r} (the query says {old!r})")

    # ---- calling another function ---------------------------------------------------------

    def wrong_function(self, item: BfclItem, calls: Sequence[ToolCall], rng: random.Random) -> Iterator[Mutation]:
        """One call replaced by a call of an offered function the answer does not use."""
        for i, spec, arguments in self._unused_calls(item, calls, rng):
            yield Mutation((*calls[:i], ToolCall(spec.name, arguments), *calls[i + 1:]),
                           f"call {i} '{calls[i].name}' replaced by '{spec.name}' {arguments}, which the query does not need")

    def _unused_calls(self, item: BfclItem, calls: Sequence[ToolCall], rng: random.Random) -> Iterator[tuple[int, ApiSpec, dict[str, Any]]]:
        used = {c.name for c in calls}
        unused = [f for f in item.functions if f.name not in used]
        if len(item.functions) < 2 or not unused or not calls:
            return
        order = list(range(len(calls)))
        rng.shuffle(order)
        rng.shuffle(unused)
        for i in order:
            for spec in unused:
                arguments = build_arguments(spec, calls[i].arguments, item.question)
                if arguments is not None:
                    yield i, spec, arguments

    # ---- dropping and adding calls --------------------------------------------------------

    def missing_call(self, item: BfclItem, calls: Sequence[ToolCall], rng: random.Random) -> Iterator[Mutation]:
        """One call dropped, from answers of three or more calls (the style's count still holds)."""
        if item.style not in ("parallel", "parallel_multiple") or len(calls) < 3:
            return
        order = list(range(len(calls)))
        rng.shuffle(order)
        for i in order:
            yield Mutation((*calls[:i], *calls[i + 1:]), f"call {i} '{calls[i].name}' {calls[i].arguments} dropped")

    def extra_call(self, item: BfclItem, calls: Sequence[ToolCall], rng: random.Random) -> Iterator[Mutation]:
        """One call appended that the query does not ask for: a copy of a call with a stated value
        changed, or a call of an unused offered function. Only where the style allows more calls."""
        if item.style not in ("parallel", "parallel_multiple"):
            return
        copies = self._changed_copies(item, calls, rng)
        others = (Mutation((*calls, ToolCall(spec.name, args)), f"added '{spec.name}' {args}, which the query does not ask for")
                  for _i, spec, args in self._unused_calls(item, calls, rng))
        first, second = (others, copies) if rng.random() < 0.5 else (copies, others)
        yield from first
        yield from second

    def _changed_copies(self, item: BfclItem, calls: Sequence[ToolCall], rng: random.Random) -> Iterator[Mutation]:
        order = list(range(len(calls)))
        rng.shuffle(order)
        for i in order:
            for arg, old, new in self.value_changes(item, calls, i, rng):
                extra = ToolCall(calls[i].name, {**calls[i].arguments, arg: new})
                yield Mutation((*calls, extra), f"added a copy of call {i} '{calls[i].name}' with {arg} {old!r} -> {new!r}, "
                                                "which the query does not ask for")


def _properties(item: BfclItem, name: str) -> dict[str, Any]:
    spec = next((f for f in item.functions if f.name == name), None)
    properties = spec.parameters.get("properties", {}) if spec else {}
    return properties if isinstance(properties, dict) else {}


def _expected(item: BfclItem, index: int, name: str) -> dict[str, list[Any]]:
    """BFCL's acceptable values of each argument of reference call ``index``."""
    if index >= len(item.ground_truth):
        return {}
    return item.ground_truth[index].get(name, {})


# ---- argument values for a function the query does not need -----------------------------------

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w]|\.\d)")
# Quotes that open and close at word edges ("It's" holds no quote).
_QUOTED = re.compile(r"(?<!\w)'([^']{2,60})'(?!\w)|(?<!\w)\"([^\"]{2,60})\"(?!\w)")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]{2,}(?:\s+[A-Z][A-Za-z]+)*\b")  # "Paris", "New York"


def _names(query: str) -> list[str]:
    """Runs of capitalised words that do not start a sentence: likely names."""
    return [m.group() for m in _CAPITALISED.finditer(query) if query[:m.start()].strip(" \"'") and
            not re.search(r"[.?!:]\s*[\"']?$", query[:m.start()])]


def _query_values(schema: dict[str, Any], name: str, query: str) -> list[Any]:
    """Values of this parameter's type found in the query, best first."""
    if isinstance(schema.get("enum"), list):
        enum = schema["enum"]
        return [v for v in enum if stated(v, query)] + list(enum)
    kind = schema.get("type")
    kind = "string" if isinstance(kind, list) and "string" in kind else kind
    if kind in ("integer", "number"):
        numbers = [float(t) if "." in t else int(t) for t in _NUMBER.findall(query)]
        return [n for n in numbers if kind == "number" or isinstance(n, int)]
    if kind == "string":
        texts = [a or b for a, b in _QUOTED.findall(query)] + _names(query)
        return [t for t in texts if placeholder_reason(t, name, query) is None]
    if kind == "boolean":
        return [schema["default"]] if isinstance(schema.get("default"), bool) else [True]
    return []


def build_arguments(spec: ApiSpec, source: dict[str, Any], query: str) -> dict[str, Any] | None:
    """Arguments for ``spec``: the source call's value where a parameter of the same name takes
    it, else (required parameters only) a value of the right type taken from the query; None when
    a required parameter gets no value."""
    properties = spec.parameters.get("properties", {})
    required = set(spec.parameters.get("required", []))
    arguments: dict[str, Any] = {}
    for name, schema in properties.items():
        validator = StrictValidator(schema)
        if name in source and validator.is_valid(source[name]):
            arguments[name] = source[name]
        elif name in required:
            # A value not given to another parameter yet, if the query offers one.
            values = [v for v in _query_values(schema, name, query) if validator.is_valid(v)]
            fresh = [v for v in values if v not in arguments.values()]
            if not values:
                return None
            arguments[name] = (fresh or values)[0]
    return arguments
