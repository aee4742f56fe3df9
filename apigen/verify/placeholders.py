"""Placeholder argument values: template text a model copied instead of a real value.

Precise on purpose: a value is flagged only when it is, as a whole, an obvious template
("<city>", "YYYY-MM-DD", "your_api_key", "user@example.com", "TBD", "...") or just repeats the
parameter's own name or JSON type ("city" for ``city``, "string" for a string). Numbers, booleans
and enum, const or the schema's own default values are never flagged. Nor is a value the query
itself states ("john.doe@example.com" when the query names that address), unless it is a
bracketed or elided template, which is one in the query too. Nested arrays and objects are searched.
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
# Templates whatever the query says: a query holding "<city>" or "..." is itself a template.
_BLATANT = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"<[^<>]{1,60}>",                      # <city>, <your api key>
    r"\{\{?\s*[a-z_][\w .-]{0,60}\}\}?",   # {city}, {{ city }}
    r"\[\s*(?:insert|your|enter)[^\]]*\]",  # [insert city]
    r"\$\{[^}]{1,60}\}",                    # ${CITY}
    r"x{3,}|x{2,}(?:[-. ]x{2,})+",            # xxx, XXXXX, xxx-xxx-xxxx
    r"\.{3,}|…|\?{2,}",                     # ..., …, ???
))
# Date and time templates: YYYY-MM-DD, MM/DD/YYYY, HH:MM:SS, YYYY-MM-DDTHH:MM. They are real
# values of a parameter that takes a format ("format": "HH:MM:SS").
_DATE_TEMPLATE = re.compile(r"(?=.*(?:yy|mm|dd|hh|ss))[ymdhs]{1,4}(?:[-/:. T][ymdhs]{1,4})+", re.IGNORECASE)
_FORMAT_WORDS = frozenset({"format", "formats", "fmt", "pattern"})
_PATTERNS = _BLATANT + tuple(re.compile(p, re.IGNORECASE) for p in (
    r"your[_-][a-z0-9_-]+",                 # your_api_key, your-city
    r"(?:your|my)[ _-](?:api[ _-]?key|token|secret|password|username|user ?name|email|e-mail)",
    r"(?:insert|enter|replace|put)[ _](?:your|the|a)[ _].+",
))
# Reserved example domains (RFC 2606) and stock fake addresses, inside a URL or an e-mail.
_EXAMPLE_DOMAIN = re.compile(r"(?:^|[@/.\s])(?:example\.(?:com|org|net)|test\.com|domain\.com)(?:$|[/:?#\s>,;])",
                             re.IGNORECASE)
_JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object", "int", "float", "bool", "list", "dict"})
_MAX_DEPTH = 32


def _normal(text: str) -> str:
    return " ".join(text.strip().lower().split())


def placeholder_reason(value: str, name: str, query: str = "") -> str | None:
    """Why the string ``value`` of parameter ``name`` is a placeholder, or None (also when the
    ``query`` states the value, see ``stated_in``)."""
    why = _reason(value, name)
    if why and query and stated_in(value, query) and not any(p.fullmatch(_normal(value)) for p in _BLATANT):
        return None
    return why


def _reason(value: str, name: str) -> str | None:
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
    if _DATE_TEMPLATE.fullmatch(text) and not _takes_format(name):
        return "a template pattern"
    if _EXAMPLE_DOMAIN.search(text):
        return "an example domain"
    return None


def _takes_format(name: str) -> bool:
    """Whether the parameter's name has the word format/fmt/pattern: "format", "date_format",
    "timeFormat" (not "formatted_date", which wants a date)."""
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower())
    return not _FORMAT_WORDS.isdisjoint(words)


_QUOTES = "'\"`“”‘’"


def stated_in(value: str, query: str) -> bool:
    """Whether the query states ``value`` (case-insensitively, as whole words): the user asked
    for it. A value of plain words ("string", "city") counts only in quotes, since the query may
    merely use the word ("reverse the string")."""
    text, said = _normal(value), _normal(query)
    # The whole value: "example.com" is not stated by "example.com.org" or "bob@example.com".
    found = [m.start() for m in re.finditer(rf"(?<![\w@./-]){re.escape(text)}(?![\w@/-]|\.\w)", said)] if text else []
    if not found:
        return False
    if re.search(r"[^a-z\s]", text):
        return True
    return any(i > 0 and i + len(text) < len(said) and said[i - 1] in _QUOTES and said[i + len(text)] in _QUOTES
               for i in found)


def _allowed(schema: Any, value: Any) -> bool:
    # The spec's own enum, const or default values are what its author offered, not templates.
    if not isinstance(schema, dict):
        return False
    return (("enum" in schema and value in schema["enum"]) or ("const" in schema and value == schema["const"])
            or ("default" in schema and value == schema["default"]))


def find_placeholder(value: Any, name: str, schema: Any, path: str = "", depth: int = 0,
                     query: str = "") -> tuple[str, str, str] | None:
    """(path, value, why) of the first placeholder in ``value``, searching nested arrays and
    objects; ``query`` is the candidate's query (a value it states is not a placeholder)."""
    path = path or name
    if depth > _MAX_DEPTH or _allowed(schema, value):
        return None
    schema = schema if isinstance(schema, dict) else {}
    if isinstance(value, str):
        why = placeholder_reason(value, name, query)
        return (path, value, why) if why else None
    if isinstance(value, list):
        items = schema.get("items")
        for i, item in enumerate(value):
            found = find_placeholder(item, name, items, f"{path}[{i}]", depth + 1, query)
            if found:
                return found
    elif isinstance(value, dict):
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        for key, item in value.items():
            found = find_placeholder(item, str(key), properties.get(key), f"{path}.{key}", depth + 1, query)
            if found:
                return found
    return None
