"""Calls as a Python expression in BFCL's style, ``[get_weather(city='Paris', unit='celsius')]``,
and back: what prompt-mode models are trained to write and what BFCL's AST checker reads (by
``ast.parse``, never by running it). No call is ``[]``."""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Iterable
from typing import Any

from apigen.records import ToolCall


class NotPythonExpressible(ValueError):
    """A call that has no Python spelling: a function or argument name that is not an
    identifier (``get-weather``, ``from``), or a value with no literal (NaN, infinity)."""


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _literal(value: Any) -> str:
    """A JSON value as a Python literal that ``ast.literal_eval`` turns back into the same value."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotPythonExpressible(f"the value {value!r} has no Python literal")
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(str(k))}: {_literal(v)}" for k, v in value.items()) + "}"
    raise NotPythonExpressible(f"the value {value!r} is not a JSON value")


def format_call(call: ToolCall) -> str:
    # Dotted names (math.factorial) are attribute calls, as in BFCL's data.
    if not all(_identifier(part) for part in call.name.split(".")):
        raise NotPythonExpressible(f"the function name '{call.name}' is not a Python name")
    arguments = []
    for key, value in call.arguments.items():
        if not _identifier(key):
            raise NotPythonExpressible(f"the argument name '{key}' of {call.name} is not a Python name")
        arguments.append(f"{key}={_literal(value)}")
    return f"{call.name}({', '.join(arguments)})"


def format_calls(calls: Iterable[ToolCall]) -> str:
    """``[f(a=1), g(b='x')]``; raises NotPythonExpressible for a call with no Python spelling."""
    return "[" + ", ".join(format_call(c) for c in calls) + "]"


def _dotted_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted_name(node.value)}.{node.attr}"
    raise ValueError(f"not a function name: {ast.unparse(node)}")


def parse_calls(text: str) -> tuple[ToolCall, ...]:
    """The calls of ``format_calls``' output (a list of keyword-argument calls with literal values);
    raises ValueError for anything else."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"not Python: {exc.msg}") from None
    if not isinstance(tree, ast.List):
        raise ValueError("not a list of calls")
    calls = []
    for node in tree.elts:
        if not isinstance(node, ast.Call) or node.args or any(k.arg is None for k in node.keywords):
            raise ValueError(f"not a call with keyword arguments only: {ast.unparse(node)}")
        calls.append(ToolCall(_dotted_name(node.func), {str(k.arg): ast.literal_eval(k.value) for k in node.keywords}))
    return tuple(calls)
