"""OpenAPI 3 documents (JSON or YAML) as API sources, executed over HTTP.

Each operation becomes a spec: name = operationId (else METHOD_path, sanitised); description =
summary or description; path, query and header parameters and the properties of a JSON request
body become JSON-Schema parameters. The executor is ``http`` against ``servers[0].url``, limited
to the source's ``allowed_hosts``. Local ``$ref``s (#/components/...) are resolved. The category
is the operation's ``x-category``, else the source's ``category``, else "Other".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from apigen.catalog.spec import SpecError, spec_from_dict
from apigen.records import ApiSpec

_METHODS = ("get", "post", "put", "patch", "delete")


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"invalid YAML: {exc}") from None
    if not isinstance(data, dict) or not str(data.get("openapi", "")).startswith("3"):
        raise SpecError("<document>", "openapi", "must be an OpenAPI 3.x document with 'openapi: 3.x'")
    return data


def _resolve(doc: dict[str, Any], node: Any, entry: str, field: str, depth: int = 0) -> Any:
    """Replace local $refs recursively (bounded depth, so recursive schemas cannot loop)."""
    if depth > 20:
        raise SpecError(entry, field, "$ref nesting is too deep (recursive schema?)")
    if isinstance(node, list):
        return [_resolve(doc, n, entry, field, depth + 1) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise SpecError(entry, field, f"only local $refs are supported, got {ref!r}")
        target: Any = doc
        for part in ref[2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                raise SpecError(entry, field, f"$ref {ref} does not resolve")
            target = target[part]
        return _resolve(doc, target, entry, field, depth + 1)
    return {k: _resolve(doc, v, entry, field, depth + 1) for k, v in node.items()}


def _base_url(doc: dict[str, Any]) -> str:
    servers = doc.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        raise SpecError("<document>", "servers", "needs servers[0].url (the base URL the HTTP executor calls)")
    url = str(servers[0].get("url", ""))
    if not re.match(r"^https?://", url):
        raise SpecError("<document>", "servers[0].url", f"must be an absolute http(s) URL, got {url!r}")
    return url.rstrip("/")


def _operation_name(op: dict[str, Any], method: str, route: str) -> str:
    if isinstance(op.get("operationId"), str) and op["operationId"]:
        return op["operationId"]
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", f"{method}_{route}")).strip("_")[:64]


def _operation_spec(doc: dict, route: str, method: str, op: dict, shared: list, base: str,
                    allowed_hosts: list[str], category: str | None) -> ApiSpec:
    name = _operation_name(op, method, route)
    properties: dict[str, Any] = {}
    required: list[str] = []
    places: dict[str, str] = {}
    params = _resolve(doc, shared + list(op.get("parameters", [])), name, "parameters")
    for i, p in enumerate(params):
        field = f"parameters[{i}]"
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            raise SpecError(name, f"{field}.name", "missing")
        if p.get("in") not in ("path", "query", "header"):
            raise SpecError(name, f"{field}.in", f"must be path, query or header, got {p.get('in')!r}")
        schema = dict(p.get("schema") or {"type": "string"})
        schema["description"] = str(p.get("description") or schema.get("description") or f"The '{p['name']}' {p['in']} parameter.")
        properties[p["name"]] = schema
        places[p["name"]] = p["in"]
        if p.get("required") or p["in"] == "path":
            required.append(p["name"])
    body = _resolve(doc, op.get("requestBody"), name, "requestBody") if op.get("requestBody") else None
    if body:
        body_schema = ((body.get("content") or {}).get("application/json") or {}).get("schema")
        if not isinstance(body_schema, dict) or body_schema.get("type", "object") != "object":
            raise SpecError(name, "requestBody.content.application/json.schema", "must be an object schema")
        for prop, prop_schema in (body_schema.get("properties") or {}).items():
            if prop in properties:
                raise SpecError(name, f"requestBody.properties.{prop}", "clashes with a parameter of the same name")
            prop_schema = dict(prop_schema)
            prop_schema.setdefault("description", f"The '{prop}' field of the request body.")
            properties[prop] = prop_schema
            places[prop] = "body"
        required += [r for r in body_schema.get("required", []) if r in properties]
    return spec_from_dict({
        "name": name,
        "description": str(op.get("summary") or op.get("description") or f"{method.upper()} {route}"),
        "category": op.get("x-category") or category or "Other",
        "parameters": {"type": "object", "properties": properties, "required": required},
        "executor": {"kind": "http", "target": base, "function": f"{method.upper()} {route}",
                     "options": {"params": places, "allowed_hosts": list(allowed_hosts)}},
    })


def import_openapi(path: Path, *, allowed_hosts: list[str] | None = None, category: str | None = None, **_: Any) -> list[ApiSpec]:
    doc = _read(path)
    base = _base_url(doc)
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        raise SpecError("<document>", "paths", "must be a non-empty object of operations")
    specs = []
    for route, item in paths.items():
        if not isinstance(item, dict):
            raise SpecError(route, "paths", "each path item must be an object")
        shared = list(item.get("parameters", []))
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                specs.append(_operation_spec(doc, route, method, item[method], shared, base, allowed_hosts or [], category))
    return specs
