"""Answers to a BFCL item made by small, systematic changes of its reference answer: the right
answer in other acceptable forms, and wrong ones (a type changed, an argument dropped or added,
calls dropped, duplicated, reordered or renamed). Used to compare our matcher with BFCL's checker
on many answers of every shape without running a model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apigen.bfcl.data import BfclItem, reference_calls
from apigen.records import ToolCall


def _retyped(value: Any) -> Iterator[Any]:
    if isinstance(value, bool):
        yield str(value).lower()
        yield int(value)
    elif isinstance(value, int):
        yield str(value)
        yield float(value)
    elif isinstance(value, float):
        yield str(value)
        if value.is_integer():
            yield int(value)
    elif isinstance(value, str):
        yield value.upper()
        yield value.replace(" ", "-")
        yield value + " x"
    elif isinstance(value, list):
        yield list(reversed(value))
        yield [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        yield value[:-1]


def _with(calls: tuple[ToolCall, ...], index: int, arguments: dict[str, Any]) -> tuple[ToolCall, ...]:
    return tuple(ToolCall(c.name, arguments) if i == index else c for i, c in enumerate(calls))


def perturbations(item: BfclItem) -> Iterator[tuple[str, tuple[ToolCall, ...]]]:
    """(what changed, calls) answers for one item, the reference first."""
    calls = reference_calls(item)
    yield "reference", calls
    for i, expected in enumerate(item.ground_truth):
        (name, answer), = expected.items()
        for key, acceptable in answer.items():
            args = dict(calls[i].arguments)
            for other in [v for v in acceptable if v != ""][1:2]:
                yield f"call {i} {key}: another acceptable value", _with(calls, i, {**args, key: other})
            if key in args:
                for changed in _retyped(args[key]):
                    yield f"call {i} {key}: {type(args[key]).__name__} -> {changed!r}", _with(calls, i, {**args, key: changed})
                yield f"call {i} {key}: dropped", _with(calls, i, {k: v for k, v in args.items() if k != key})
            elif acceptable and acceptable[0] != "":
                yield f"call {i} {key}: added", _with(calls, i, {**args, key: acceptable[0]})
        yield f"call {i}: unexpected argument", _with(calls, i, {**calls[i].arguments, "zz_extra": 1})
        others = [f.name for f in item.functions if f.name != name]
        if others:
            yield f"call {i}: other function", tuple(ToolCall(others[0], c.arguments) if j == i else c for j, c in enumerate(calls))
    if len(calls) > 1:
        yield "calls reversed", tuple(reversed(calls))
        yield "last call dropped", calls[:-1]
    yield "first call twice", (calls[0], *calls) if calls else ()
