"""Conversion of specs to other tool formats (the xlam-function-calling-60k release's shape)."""

from __future__ import annotations

from typing import Any

_XLAM_TYPES = {"integer": "int", "number": "float", "string": "str", "boolean": "bool", "object": "dict", "array": "list"}


def _xlam_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if kind == "array" and isinstance(schema.get("items"), dict):
        return f"List[{_xlam_type(schema['items'])}]"
    if isinstance(kind, str):
        return _XLAM_TYPES.get(kind, kind)
    if "enum" in schema:
        return "str"
    if "anyOf" in schema:
        return "Union[" + ", ".join(_xlam_type(s) for s in schema["anyOf"]) + "]"
    return "Any"


def to_xlam_tool(tool: dict[str, Any]) -> dict[str, Any]:
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
    return {"name": tool["name"], "description": tool.get("description", ""), "parameters": out}
