"""Importers: each turns one source format into standard ApiSpecs.

python   a module (or folder of modules) of typed, documented functions: executable in the sandbox
json     a list of specs in the standard shape (name, description, category, parameters, executor)
openapi  an OpenAPI 3 document (JSON or YAML): operations executed over HTTP, allow-listed hosts
xlam     tool JSON as in xlam-function-calling-60k: schema only (executor kind 'none')
openai   OpenAI tools ([{"type": "function", "function": {...}}]): schema only
bfcl     BFCL function docs ({name, description, parameters: {type: "dict", ...}}): schema only
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from apigen.records import ApiSpec

FORMATS = ("python", "json", "openapi", "xlam", "openai", "bfcl")


def _importer(fmt: str) -> Callable[..., list[ApiSpec]]:
    if fmt == "openapi":
        from apigen.catalog.importers.openapi import import_openapi
        return import_openapi
    if fmt in ("xlam", "openai", "bfcl"):
        from apigen.catalog.importers import tool_formats
        return getattr(tool_formats, f"import_{fmt}")
    if fmt == "python":
        from apigen.catalog.python_module import specs_from_module
        return lambda path, category=None, **_: specs_from_module(path, default_category=category)
    if fmt == "json":
        from apigen.catalog.importers.standard import import_standard_json
        return import_standard_json
    raise ValueError(f"unknown format '{fmt}'; use one of {list(FORMATS)}")


def import_file(fmt: str, path: Path, *, allowed_hosts: list[str] | None = None,
                category: str | None = None) -> list[ApiSpec]:
    """Specs from one file in format ``fmt``; errors (SpecError, ValueError) name entry and field."""
    options: dict[str, Any] = {"allowed_hosts": list(allowed_hosts or []), "category": category}
    return _importer(fmt)(path, **options)
