"""Conversion of specs to other tool formats: xlam-function-calling-60k, OpenAI tools and BFCL.

Each exporter takes a tool schema (``ApiSpec.tool_schema()``: name, description, JSON-Schema
parameters); with ``category`` set the category is carried along, so that importing the export
gives the same specs back.
"""

from __future__ import annotations

from typing import Any

_XLAM_TYPES = {"integer": "int", "number": "float", "string": "str", "boolean": "bool", "object": "dict", "array": "list",
               "null": "None"}
_BFCL_TYPES = {"object": "dict", "number": "float"}
ANY_TYPES = ("string", "number", "integer", "boolean", "object", "array")


def _xlam_type(schema: dict[str, Any]) -> str:
    """The xlam type string of a schema, in the grammar the xlam importer reads back: scalars,
    List[...], Any and Union[...] (anyOf, or a list of types short of all of them)."""
    kind = schema.get("type")
    if kind == "array" and isinstance(schema.get("items"), dict):
        return f"List[{_xlam_type(schema['items'])}]"
    if isinstance(kind, str):
        return _XLAM_TYPES.get(kind, kind)
    if isinstance(kind, list):
        if set(ANY_TYPES) <= set(kind):
            return "Any"
        return _union([_XLAM_TYPES.get(str(k), str(k)) for k in kind])
    if "enum" in schema:
        return "str"
    if "anyOf" in schema:
        return _union([_xlam_type(s) for s in schema["anyOf"]])
    return "Any"


def _union(names: list[str]) -> str:
    distinct = list(dict.fromkeys(names))
    return distinct[0] if len(distinct) == 1 else "Union[" + ", ".join(distinct) + "]"


def _with_category(out: dict[str, Any], category: str | None) -> dict[str, Any]:
    if category:
        out["category"] = category
    return out


def to_xlam_tool(tool: dict[str, Any], category: str | None = None) -> dict[str, Any]:
    """{name, description, parameters: {arg: {type, description, default?}}}, where optional
    arguments carry ', optional' in their type as in the xlam release; enums are named in the
    description."""
    parameters = tool.get("parameters", {})
    required = set(parameters.get("required", []))
    out: dict[str, Any] = {}
    for name, schema in parameters.get("properties", {}).items():
        description = str(schema.get("description", ""))
        if "enum" in schema:
            description = f"{description} One of: {', '.join(map(str, schema['enum']))}.".strip()
        entry: dict[str, Any] = {"description": description, "type": _xlam_type(schema) + ("" if name in required else ", optional")}
        if "default" in schema:
            entry["default"] = schema["default"]
        out[name] = entry
    return _with_category({"name": tool["name"], "description": tool.get("description", ""), "parameters": out}, category)


def to_openai_tool(tool: dict[str, Any], category: str | None = None) -> dict[str, Any]:
    """{"type": "function", "function": {name, description, parameters}} (JSON Schema unchanged)."""
    function = {"name": tool["name"], "description": tool.get("description", ""),
                "parameters": tool.get("parameters", {"type": "object", "properties": {}})}
    return _with_category({"type": "function", "function": function}, category)


def map_schema_types(schema: Any, names: dict[str, Any], union: Any) -> Any:
    """Rename ``type`` values throughout a schema: string types via ``names`` (a None value means
    'any type'), and list-of-types (JSON Schema's way to say 'any') to ``union``."""
    if isinstance(schema, list):
        return [map_schema_types(s, names, union) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: map_schema_types(v, names, union) for k, v in schema.items()}
    kind = schema.get("type")
    if isinstance(kind, str) and kind in names:
        out["type"] = names[kind] if names[kind] is not None else list(ANY_TYPES)
    elif isinstance(kind, list):
        out["type"] = union
    return out


def to_bfcl_tool(tool: dict[str, Any], category: str | None = None) -> dict[str, Any]:
    """{name, description, parameters: {type: "dict", properties, required}} with BFCL's type names."""
    params = map_schema_types(tool.get("parameters", {"type": "object", "properties": {}}), _BFCL_TYPES, "any")
    return _with_category({"name": tool["name"], "description": tool.get("description", ""), "parameters": params}, category)


EXPORTERS = {"xlam": to_xlam_tool, "openai": to_openai_tool, "bfcl": to_bfcl_tool}
