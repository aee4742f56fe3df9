"""Python modules as API sources: typed, documented functions become specs and executors.

The function is the single source of truth: its type hints give the JSON-Schema types, its
docstring (Google style: summary, then ``Args:``) gives the descriptions, its defaults say what
is optional. The category: ``@api(category=...)``, else ``CATEGORY`` at module level, else the
source's ``category`` option.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apigen.catalog.spec import SpecError, spec_from_dict
from apigen.execution.modules import load_module
from apigen.records import ApiSpec

_SCALARS = {int: "integer", float: "number", str: "string", bool: "boolean"}
_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Returns|Raises|Examples?|Yields|Note)\s*:\s*$")
_ARG_LINE = re.compile(r"^\s*(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into (summary, {argument: description})."""
    lines = inspect.cleandoc(doc or "").splitlines()
    summary: list[str] = []
    args: dict[str, str] = {}
    section, current = None, None
    for line in lines:
        heading = _SECTION.match(line)
        if heading:
            section, current = heading.group(1), None
            continue
        if section is None:
            summary.append(line)
        elif section in ("Args", "Arguments", "Parameters"):
            match = _ARG_LINE.match(line)
            if match and (len(line) - len(line.lstrip())) <= 4:
                current = match.group(1).lstrip("*")
                args[current] = match.group(2).strip()
            elif current and line.strip():
                args[current] = f"{args[current]} {line.strip()}".strip()
    return " ".join(s.strip() for s in summary if s.strip()), args


def json_schema_for(hint: Any) -> dict[str, Any]:
    """JSON Schema of a type hint; raises TypeError for hints with no JSON equivalent."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return json_schema_for(args[0])
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if origin is typing.Literal:
        kinds = {_SCALARS.get(type(a)) for a in args}
        schema: dict[str, Any] = {"enum": list(args)}
        if len(kinds) == 1 and None not in kinds:
            schema["type"] = kinds.pop()
        return schema
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return json_schema_for(options[0])
        return {"anyOf": [json_schema_for(a) for a in options]}
    if hint is list or origin is list:
        return {"type": "array", "items": json_schema_for(args[0])} if args else {"type": "array"}
    if hint is dict or origin is dict:
        return {"type": "object"}
    raise TypeError(f"type hint {hint!r} has no JSON-Schema equivalent")


def spec_from_function(fn: Callable[..., Any], *, source: Path, default_category: str | None) -> ApiSpec:
    meta = getattr(fn, "__apigen__", {})
    name = meta.get("name") or fn.__name__
    summary, arg_docs = parse_docstring(fn.__doc__)
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # a broken annotation must name the function, not crash the load
        raise SpecError(name, "annotations", f"cannot be resolved: {exc}") from None
    properties: dict[str, Any] = {}
    required: list[str] = []
    for pname, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise SpecError(name, f"parameters.properties.{pname}", "only plain keyword-passable parameters are supported")
        if pname not in hints:
            raise SpecError(name, f"parameters.properties.{pname}.type", "missing type hint")
        try:
            schema = json_schema_for(hints[pname])
        except TypeError as exc:
            raise SpecError(name, f"parameters.properties.{pname}.type", str(exc)) from None
        schema["description"] = arg_docs.get(pname, "")
        if param.default is inspect.Parameter.empty:
            required.append(pname)
        elif _is_json(param.default):
            schema["default"] = param.default
        properties[pname] = schema
    return spec_from_dict(
        {
            "name": name,
            "description": summary,
            "category": meta.get("category") or default_category or "",
            "parameters": {"type": "object", "properties": properties, "required": required},
            "executor": {"kind": "python", "target": str(source.resolve()), "function": fn.__name__},
            "examples": meta.get("examples", []),
        },
        schema_built=True,  # from type hints through json_schema_for: valid JSON Schema by construction
    )


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def specs_from_module(path: Path, default_category: str | None = None) -> list[ApiSpec]:
    """Every public function defined in the module (or listed in ``__all__``) becomes a spec;
    ``default_category`` serves a module without ``CATEGORY``."""
    try:
        module = load_module(path)
    except (Exception, SystemExit) as exc:  # importing runs the module's code, so anything can come out
        raise ImportError(f"importing it raised {type(exc).__name__}: {exc}") from None
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n for n, obj in vars(module).items()
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not n.startswith("_")
        ]
    elif not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise SpecError("?", "__all__", "must be a list of function names")
    for name in names:
        if not inspect.isfunction(getattr(module, name, None)):
            raise SpecError(name, "__all__", "names no function of the module")
    category = getattr(module, "CATEGORY", None) or default_category
    return [spec_from_function(getattr(module, n), source=path, default_category=category) for n in names]
