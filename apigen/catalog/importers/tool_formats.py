"""Schema-only tool formats: xlam-function-calling-60k, OpenAI tools and BFCL function docs.

Each entry becomes a standard spec with executor kind ``none``: it can drive generation, and the
execution stage reports its calls as ``not_executable``. The category comes from the entry's own
``category`` key, else the source's ``category``, else "Other". Errors name the entry and field.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from apigen.catalog.formats import ANY_TYPES, map_schema_types
from apigen.catalog.spec import SpecError, spec_from_dict
from apigen.records import ApiSpec

_XLAM_SCALARS = {"int": "integer", "integer": "integer", "float": "number", "number": "number", "str": "string", "string": "string",
                 "bool": "boolean", "boolean": "boolean", "dict": "object", "object": "object", "list": "array", "array": "array",
                 "tuple": "array", "set": "array", "none": "null", "null": "null"}
_BFCL_TYPES = {"dict": "object", "float": "number", "tuple": "array", "any": None}


def _entries(path: Path) -> list[Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("tools", data.get("functions", [data]))
    if not isinstance(data, list):
        raise SpecError("?", "<document>", "expected a list of tools")
    return data


def _name(entry: Any, index: int) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return name if isinstance(name, str) else f"#{index}"


def _build(entry: dict, name: str, parameters: dict, category: str | None, schema_built: bool = False) -> ApiSpec:
    return spec_from_dict({"name": name, "description": entry.get("description", ""),
                           "category": entry.get("category") or category or "Other", "parameters": parameters,
                           "executor": {"kind": "none"}}, schema_built=schema_built)


def xlam_type_schema(entry: str, field: str, text: str) -> tuple[dict[str, Any], bool]:
    """JSON Schema of an xlam type string such as 'int', 'str, optional', 'List[Dict[str, Any]]' or
    'Union[int, str]'; and whether it is optional. Commas inside brackets belong to the inner types."""
    try:
        parts = _split_top_level(text)
        optional = len(parts) == 2 and parts[1].lower() == "optional"
        return _xlam_schema(parts[0] if optional else text.strip()), optional
    except ValueError:
        raise SpecError(entry, field, f"unsupported type '{text}'") from None


def _split_top_level(text: str) -> list[str]:
    """'Dict[str, int], optional' -> ['Dict[str, int]', 'optional']: commas at bracket depth 0 only."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced brackets in '{text}'")
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if depth:
        raise ValueError(f"unbalanced brackets in '{text}'")
    return parts + [text[start:].strip()]


def _xlam_schema(core: str) -> dict[str, Any]:
    """The schema of one type expression; ValueError when any part of it is not supported."""
    generic = re.fullmatch(r"(\w+)\[(.*)\]", core, re.DOTALL)
    if generic is None:
        if core.lower() == "any":
            return {"type": list(ANY_TYPES)}
        kind = _XLAM_SCALARS.get(core.lower())
        if kind is None:
            raise ValueError(core)
        return {"type": kind}
    name, args = generic.group(1).lower(), _split_top_level(generic.group(2))
    if name == "dict":  # the key and value types are not kept: an object, as the exporter writes dict
        return {"type": "object"}
    if name in ("list", "set") and len(args) == 1:
        return {"type": "array", "items": _xlam_schema(args[0])}
    if name == "tuple":  # Tuple[float, float] / Tuple[int, ...]: an array of those types (length not kept)
        return {"type": "array", "items": _one_of_each([_xlam_schema(a) for a in args if a != "..."])}
    if name == "union":
        return _one_of_each([_xlam_schema(a) for a in args])
    raise ValueError(core)


def _one_of_each(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """The schema of a value of any of these types (repeats dropped, order kept)."""
    distinct = [s for i, s in enumerate(schemas) if s not in schemas[:i]]
    if not distinct:
        raise ValueError("no types")
    return distinct[0] if len(distinct) == 1 else {"anyOf": distinct}


def xlam_spec(entry: Any, *, index: int = 0, category: str | None = None) -> ApiSpec:
    """One xlam tool {name, description, parameters: {arg: {type, description, default?}}}."""
    name = _name(entry, index)
    if not isinstance(entry, dict):
        raise SpecError(name, "<entry>", "must be an object")
    params = entry.get("parameters", {})
    if not isinstance(params, dict):
        raise SpecError(name, "parameters", "must be an object of {arg: {type, description}}")
    properties, required = {}, []
    for arg, info in params.items():
        field = f"parameters.{arg}"
        if not isinstance(info, dict) or not isinstance(info.get("type"), str):
            raise SpecError(name, f"{field}.type", "missing: each argument needs a type string")
        schema, optional = xlam_type_schema(name, f"{field}.type", info["type"])
        schema["description"] = str(info.get("description", ""))
        if "default" in info:
            schema["default"] = info["default"]
        properties[arg] = schema
        if not optional:
            required.append(arg)
    # Built from the type table above: valid JSON Schema by construction.
    return _build(entry, name, {"type": "object", "properties": properties, "required": required}, category,
                  schema_built=True)


def import_xlam(path: Path, *, category: str | None = None, **_: Any) -> list[ApiSpec]:
    """Entries {name, description, parameters: {arg: {type, description, default?}}}."""
    return [xlam_spec(entry, index=i, category=category) for i, entry in enumerate(_entries(path))]


def schema_spec(entry: dict[str, Any], *, index: int = 0, category: str | None = None) -> ApiSpec:
    """One tool whose parameters are JSON Schema already: {name, description, parameters} (an
    OpenAI tool's ``function``, a tool schema of a run's example)."""
    return _build(entry, _name(entry, index), entry.get("parameters", {"type": "object", "properties": {}}), category)


def import_openai(path: Path, *, category: str | None = None, **_: Any) -> list[ApiSpec]:
    """Entries {"type": "function", "function": {name, description, parameters}}."""
    specs = []
    for i, entry in enumerate(_entries(path)):
        name = _name(entry.get("function") if isinstance(entry, dict) else None, i)
        if not isinstance(entry, dict) or entry.get("type") != "function" or not isinstance(entry.get("function"), dict):
            raise SpecError(name, "type", "each tool must be {\"type\": \"function\", \"function\": {...}}")
        specs.append(schema_spec({"category": entry.get("category"), **entry["function"]}, index=i, category=category))
    return specs


def bfcl_spec(entry: Any, *, index: int = 0, category: str | None = None) -> ApiSpec:
    """One BFCL function doc {name, description, parameters: {type: "dict", properties, required}}
    as a standard spec (BFCL's type names mapped to JSON Schema's)."""
    name = _name(entry, index)
    if not isinstance(entry, dict):
        raise SpecError(name, "<entry>", "must be an object")
    params = entry.get("parameters", {"type": "dict", "properties": {}})
    if not isinstance(params, dict) or params.get("type") not in ("dict", "object"):
        raise SpecError(name, "parameters.type", "must be 'dict'")
    return _build(entry, name, _lift_item_descriptions(map_schema_types(params, _BFCL_TYPES, list(ANY_TYPES))), category)


def _lift_item_descriptions(params: dict[str, Any]) -> dict[str, Any]:
    """Some BFCL docs describe a parameter only inside it (under ``items``, or field by field);
    our specs require each parameter to carry its own description, so that text is lifted up."""
    properties = params.get("properties")
    if not isinstance(properties, dict):
        return params
    lifted = {arg: schema if not isinstance(schema, dict) or _text(schema.get("description")) else
              {**schema, "description": _inner_description(schema)} for arg, schema in properties.items()}
    return {**params, "properties": lifted}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _inner_description(schema: dict[str, Any]) -> str:
    """The description under ``items``, else the fields' own descriptions ("" when there are none)."""
    items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
    if _text(items.get("description")):
        return _text(items["description"])
    fields = (items or schema).get("properties")
    if not isinstance(fields, dict):
        return ""
    parts = [f"{key} ({_text(sub.get('description'))})" if isinstance(sub, dict) and _text(sub.get("description")) else key
             for key, sub in fields.items()]
    return ("Each item has " if items else "Has ") + ", ".join(parts) + "." if parts else ""


def import_bfcl(path: Path, *, category: str | None = None, **_: Any) -> list[ApiSpec]:
    """A file of BFCL function docs (see ``bfcl_spec``)."""
    return [bfcl_spec(entry, index=i, category=category) for i, entry in enumerate(_entries(path))]
