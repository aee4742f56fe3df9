"""Placeholder argument values: template text a model copied instead of a real value.

Precise on purpose: a value is flagged only when it is, as a whole, an obvious template
("<city>", "YYYY-MM-DD", "your_api_key", "user@example.com", "TBD", "...") or just repeats the
parameter's own name or JSON type ("city" for ``city``, "string" for a string). Numbers, booleans
and enum or const values are never flagged. Nested arrays and objects are searched.
"""

from __future__ import annotations

import re
from typing import Any

_WORDS = frozenset({
    "string", "str", "text", "value", "placeholder", "dummy",
    "tbd", "tba", "todo", "fixme", "n/a", "null", "undefined", "none provided",
    "foo", "bar", "baz", "foobar", "lorem ipsum", "insert here", "enter value", "your value",
    "api_key", "apikey", "api key", "xxx-xxx-xxxx", "xxx-xx-xxxx",
})
_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"<[^<>]{1,60}>",                      # <city>, <your api key>
    r"\{\{?\s*[a-z_][\w .-]{0,60}\}\}?",   # {city}, {{ city }}
    r"\[\s*(?:insert|your|enter)[^\]]*\]",  # [insert city]
    r"\$\{[^}]{1,60}\}",                    # ${CITY}
    r"x{3,}",                               # xxx, XXXXX
    r"\.{3,}|…|\?{2,}",                     # ..., …, ???
    r"your[_-][a-z0-9_-]+",                 # your_api_key, your-city
    r"(?:your|my)[ _-](?:api[ _-]?key|token|secret|password|username|user ?name|email|e-mail)",
    r"(?:insert|enter|replace|put)[ _](?:your|the|a)[ _].+",
    # date and time templates: YYYY-MM-DD, MM/DD/YYYY, HH:MM:SS, YYYY-MM-DDTHH:MM
    r"(?=.*(?:yy|mm|dd|hh|ss))[ymdhs]{1,4}(?:[-/:. T][ymdhs]{1,4})+",
))
# Reserved example domains (RFC 2606) and stock fake addresses, inside a URL or an e-mail.
_EXAMPLE_DOMAIN = re.compile(r"(?:^|[@/.\s])(?:example\.(?:com|org|net)|test\.com|domain\.com)(?:$|[/:?#\s>,;])",
                             re.IGNORECASE)
_JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "int", "float", "bool", "list", "dict"})
_MAX_DEPTH = 32


def _normal(text: str) -> str:
    return " ".join(text.strip().lower().split())


def placeholder_reason(value: str, name: str) -> str | None:
    """Why the string ``value`` of parameter ``name`` is a placeholder, or None."""
    text = _normal(value)
    if not text:
        return None
    if text in _WORDS:
        return "a template word"
    if text in _JSON_TYPES:
        return "a type name"
    if name and text in {_normal(name), _normal(name.replace("_", " ")), _normal(name.replace("_", ""))}:
        return "the parameter's own name"
    for pattern in _PATTERNS:
        if pattern.fullmatch(text):
            return "a template pattern"
    if _EXAMPLE_DOMAIN.search(text):
        return "an example domain"
    return None


def _allowed(schema: Any, value: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    return ("enum" in schema and value in schema["enum"]) or ("const" in schema and value == schema["const"])


def find_placeholder(value: Any, name: str, schema: Any, path: str = "", depth: int = 0) -> tuple[str, str, str] | None:
    """(path, value, why) of the first placeholder in ``value``, searching nested arrays and objects."""
    path = path or name
    if depth > _MAX_DEPTH or _allowed(schema, value):
        return None
    schema = schema if isinstance(schema, dict) else {}
    if isinstance(value, str):
        why = placeholder_reason(value, name)
        return (path, value, why) if why else None
    if isinstance(value, list):
        items = schema.get("items")
        for i, item in enumerate(value):
            found = find_placeholder(item, name, items, f"{path}[{i}]", depth + 1)
            if found:
                return found
    elif isinstance(value, dict):
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        for key, item in value.items():
            found = find_placeholder(item, str(key), properties.get(key), f"{path}.{key}", depth + 1)
            if found:
                return found
    return None
