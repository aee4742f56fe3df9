"""The JSON-Schema meta check of a spec's ``parameters``, fast on large catalogs.

``Draft202012Validator.check_schema`` costs about 1 ms per spec (it walks the 2020-12 meta-schema
with its dynamic references), 10 s for a catalog of 10,000. Two things make it cheap:

- Schemas an importer builds itself from a fixed type table (xlam type strings, Python type hints)
  are valid by construction; their importers skip the check (``spec_from_dict(schema_built=True)``),
  and the strict ``catalog check`` command runs it on every spec all the same.
- User-written schemas are checked per part: the top level with its properties emptied, then each
  property schema. Meta-schema validity does not depend on the text of descriptions and titles,
  on property names, or on which names ``required`` lists (only that they are distinct strings),
  so each part is checked once per *shape*, with those replaced by placeholders; the shapes
  repeat across a catalog. Any part that fails is reported by the full check of the whole
  schema, so the error message is exactly check_schema's. ``check_full`` skips the shape cache
  (the strict ``catalog check`` command).
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

_TEXT_KEYWORDS = ("description", "title")
_valid_shapes: set[str] = set()  # shapes the real check has passed (a failing shape is never cached)


def _shape(value: Any) -> Any:
    """The value with the text of descriptions and titles blanked (strings stay strings)."""
    if isinstance(value, dict):
        return {k: "" if k in _TEXT_KEYWORDS and isinstance(v, str) else _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def _required_shape(required: Any) -> Any:
    """Distinct strings become placeholders (validity is the same); anything else stays as it is."""
    if isinstance(required, list) and all(isinstance(r, str) for r in required) and len(set(required)) == len(required):
        return [str(i) for i in range(len(required))]
    return required


def _parts(parameters: dict[str, Any]) -> list[Any]:
    properties = parameters.get("properties")
    if not isinstance(properties, dict):
        return [parameters]
    top = {**parameters, "properties": {str(i): {} for i in range(len(properties))}}
    if "required" in parameters:
        top["required"] = _required_shape(parameters["required"])
    return [top, *properties.values()]


def _part_is_valid(part: Any) -> bool:
    try:
        key = json.dumps(_shape(part), sort_keys=True)
    except (TypeError, ValueError):  # not JSON data: let the full check say what is wrong
        return False
    if key in _valid_shapes:
        return True
    if not _is_valid(part):
        return False
    _valid_shapes.add(key)
    return True


def _is_valid(schema: Any) -> bool:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError:
        return False
    return True


def check_parameters(parameters: dict[str, Any]) -> None:
    """Raise SchemaError (check_schema's own) when ``parameters`` is not a valid JSON Schema."""
    if all(_part_is_valid(part) for part in _parts(parameters)):
        return
    Draft202012Validator.check_schema(parameters)  # the whole schema's error, as check_schema words it


def check_full(parameters: dict[str, Any]) -> None:
    """check_schema on the whole schema, no shortcut."""
    Draft202012Validator.check_schema(parameters)
