"""Validation of the standard API spec shape; every error names the entry and the field."""

from __future__ import annotations

import re
from typing import Any

from jsonschema.exceptions import SchemaError

from apigen.catalog.schema_check import check_full, check_parameters
from apigen.records import ApiExample, ApiSpec, ExecutorBinding

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EXECUTOR_KINDS = ("python", "http", "none")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class SpecError(ValueError):
    """A malformed spec entry. ``entry`` and ``field`` say where."""

    def __init__(self, entry: str, field: str, message: str):
        super().__init__(f"API '{entry}': field '{field}': {message}")
        self.entry, self.field = entry, field


def validate_parameters(entry: str, parameters: Any, *, schema_built: bool = False, strict: bool = False) -> None:
    """Check the parameters' shape; then the JSON-Schema meta check, unless an importer built the
    schema from its own type table (``schema_built``, valid by construction) and not ``strict``
    (apigen/catalog/schema_check.py)."""
    if not isinstance(parameters, dict):
        raise SpecError(entry, "parameters", "must be a JSON-Schema object")
    if parameters.get("type") != "object":
        raise SpecError(entry, "parameters.type", "must be 'object'")
    properties = parameters.get("properties", {})
    if not isinstance(properties, dict):
        raise SpecError(entry, "parameters.properties", "must be an object")
    for pname, pschema in properties.items():
        if not isinstance(pschema, dict):
            raise SpecError(entry, f"parameters.properties.{pname}", "must be an object")
        if "type" not in pschema and "enum" not in pschema and "anyOf" not in pschema:
            raise SpecError(entry, f"parameters.properties.{pname}.type", "missing")
        if not str(pschema.get("description", "")).strip():
            raise SpecError(entry, f"parameters.properties.{pname}.description", "missing or empty")
    required = parameters.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise SpecError(entry, "parameters.required", "must be a list of parameter names")
    unknown = [r for r in required if r not in properties]
    if unknown:
        raise SpecError(entry, "parameters.required", f"names parameters that are not defined: {unknown}")
    if schema_built and not strict:
        return
    try:
        (check_full if strict else check_parameters)(parameters)
    except SchemaError as exc:
        path = ".".join(str(p) for p in exc.path) or "parameters"
        raise SpecError(entry, f"parameters.{path}", f"not a valid JSON Schema: {exc.message}") from None


def spec_from_dict(data: Any, *, base_dir: str = "", schema_built: bool = False) -> ApiSpec:
    """Build and validate an ApiSpec from the standard JSON shape; ``schema_built``: the importer
    made ``parameters`` itself from a fixed type table (see validate_parameters)."""
    if not isinstance(data, dict):
        raise SpecError("?", "<entry>", f"must be an object, got {type(data).__name__}")
    name = data.get("name")
    entry = name if isinstance(name, str) else "?"
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise SpecError(entry, "name", "must be an identifier of letters, digits, '_', '.', '-' (max 64)")
    for key in ("description", "category"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise SpecError(entry, key, "missing or empty")
    parameters = data.get("parameters", {"type": "object", "properties": {}})
    validate_parameters(entry, parameters, schema_built=schema_built)
    executor = data.get("executor", {"kind": "none"})
    if not isinstance(executor, dict) or executor.get("kind") not in EXECUTOR_KINDS:
        raise SpecError(entry, "executor.kind", f"must be one of {list(EXECUTOR_KINDS)}")
    target = str(executor.get("target", ""))
    if executor["kind"] == "python":
        if not target or not executor.get("function"):
            raise SpecError(entry, "executor", "python executors need 'target' (a .py file) and 'function'")
        if base_dir and not target.startswith("/"):
            target = f"{base_dir.rstrip('/')}/{target}"
    options = executor.get("options", {})
    if not isinstance(options, dict):
        raise SpecError(entry, "executor.options", "must be an object")
    if executor["kind"] == "http":
        _validate_http(entry, target, str(executor.get("function", "")), options)
    env = options.get("env", [])
    if not isinstance(env, list) or not all(isinstance(n, str) and ENV_NAME_PATTERN.match(n) for n in env):
        raise SpecError(entry, "executor.options.env", "must be a list of environment variable names")
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, dict) and isinstance(e.get("arguments"), dict) for e in examples):
        raise SpecError(entry, "examples", "must be a list of {arguments: {...}, result: ...}")
    return ApiSpec(
        name=name,
        description=data["description"].strip(),
        category=data["category"].strip(),
        parameters=parameters,
        executor=ExecutorBinding(kind=executor["kind"], target=target, function=str(executor.get("function", "")),
                                 options=options),
        examples=tuple(ApiExample(arguments=e["arguments"], result=e.get("result")) for e in examples),
    )


def _validate_http(entry: str, target: str, function: str, options: dict) -> None:
    if not re.match(r"^https?://[^/\s]+", target):
        raise SpecError(entry, "executor.target", "http executors need an absolute http(s) base URL")
    method, _, path = function.partition(" ")
    if method.upper() not in HTTP_METHODS or not path.startswith("/"):
        raise SpecError(entry, "executor.function", "must be 'METHOD /path', e.g. 'GET /pets/{id}'")
    hosts = options.get("allowed_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise SpecError(entry, "executor.options.allowed_hosts", "must be a list of host names")
    places = options.get("params", {})
    if not isinstance(places, dict) or any(v not in ("path", "query", "header", "body") for v in places.values()):
        raise SpecError(entry, "executor.options.params", "must map argument names to path|query|header|body")
