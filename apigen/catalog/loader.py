"""Loading the catalog from config paths, with validation and selection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigen.catalog.importers import FORMATS, import_file
from apigen.catalog.spec import SpecError, validate_parameters
from apigen.paths import missing_hint, resolve_path
from apigen.records import ApiSpec, stable_hash


class CatalogError(ValueError):
    """The catalog cannot be loaded; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Catalog:
    specs: tuple[ApiSpec, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {s.name: s for s in self.specs})

    def __len__(self) -> int:
        return len(self.specs)

    def get(self, name: str) -> ApiSpec | None:
        return self._by_name.get(name)  # type: ignore[attr-defined]

    def specs_for(self, names: Iterable[str]) -> list[ApiSpec]:
        """The specs of these API names, in that order (all must be in the catalog)."""
        return [self._by_name[n] for n in names]  # type: ignore[attr-defined]

    def parameters(self, names: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Name -> JSON Schema ``parameters`` of these API names; names not in the catalog are left out."""
        return {name: spec.parameters for name in names if (spec := self.get(name)) is not None}

    def tools(self, names: Iterable[str]) -> list[dict[str, Any]]:
        """The tool schemas a model is shown for these API names: the one place names become tools."""
        return [spec.tool_schema() for spec in self.specs_for(names)]

    def returns(self, names: Iterable[str]) -> dict[str, Any]:
        """What these APIs return, as JSON shapes by name (those with an example result)."""
        return {spec.name: shape for spec in self.specs_for(names) if (shape := spec.result_shape()) is not None}

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.specs]

    @property
    def categories(self) -> list[str]:
        return sorted({s.category for s in self.specs})

    def by_category(self) -> dict[str, list[ApiSpec]]:
        groups: dict[str, list[ApiSpec]] = {}
        for spec in self.specs:
            groups.setdefault(spec.category, []).append(spec)
        return groups

    def digest(self) -> str:
        return stable_hash([_digest_view(s) for s in self.specs])

    def select(self, categories: Iterable[str] = (), apis: Iterable[str] = (), exclude: Iterable[str] = ()) -> Catalog:
        """Keep the named categories / APIs (empty: all), minus ``exclude``; unknown names fail."""
        categories, apis, exclude = list(categories), list(apis), list(exclude)
        known_cats = {c.lower(): c for c in self.categories}
        missing = [c for c in categories if c.lower() not in known_cats]
        if missing:
            raise CatalogError(f"catalog.categories: unknown {missing}; known: {self.categories}")
        for key, names in (("catalog.apis", apis), ("catalog.exclude_apis", exclude)):
            unknown = [n for n in names if n not in self._by_name]  # type: ignore[attr-defined]
            if unknown:
                raise CatalogError(f"{key}: unknown API(s) {unknown}")
        wanted_cats = {c.lower() for c in categories}
        kept = [
            s for s in self.specs
            if (not wanted_cats or s.category.lower() in wanted_cats)
            and (not apis or s.name in apis)
            and s.name not in exclude
        ]
        if not kept:
            raise CatalogError("catalog: the selection (categories / apis / exclude_apis) leaves no API")
        return Catalog(tuple(kept))


def _digest_view(spec: ApiSpec) -> dict[str, Any]:
    """``spec.to_dict()`` without its deep copy (the digest only serialises it): the same JSON, ten
    times faster on a large catalog."""
    executor = spec.executor
    return {"name": spec.name, "description": spec.description, "category": spec.category, "parameters": spec.parameters,
            "executor": {"kind": executor.kind, "target": executor.target, "function": executor.function,
                         "options": executor.options},
            "examples": [{"arguments": e.arguments, "result": e.result} for e in spec.examples]}


_SUFFIXES = {"python": (".py",), "json": (".json",), "openapi": (".json", ".yaml", ".yml"),
             "xlam": (".json",), "openai": (".json",), "bfcl": (".json",)}


def _auto_format(path: Path) -> str:
    if path.suffix == ".py":
        return "python"
    if path.suffix == ".json":
        return "json"
    raise CatalogError(f"{path}: unsupported catalog file type (use .py or .json, or a source with a format)")


def _files_under(raw: str, suffixes: tuple[str, ...] = (".py", ".json"), key: str = "catalog.paths") -> list[Path]:
    path = resolve_path(raw)
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*")
            if p.suffix in suffixes and not p.name.startswith("_") and "__pycache__" not in p.parts
        )
    raise CatalogError(f"{key}: '{path}' does not exist{missing_hint(raw)}")


def _option(source: Any, key: str, default: Any = None) -> Any:
    value = source.get(key, default) if isinstance(source, dict) else getattr(source, key, default)
    return default if value is None else value


def _jobs(paths: Iterable[str], sources: Iterable[Any]) -> list[tuple[Path, str, dict[str, Any]]]:
    """(file, format, importer options) for every file named by ``paths`` and ``sources``."""
    jobs: list[tuple[Path, str, dict[str, Any]]] = [(f, _auto_format(f), {}) for raw in paths for f in _files_under(raw)]
    for i, source in enumerate(sources):
        fmt, raw = _option(source, "format", ""), _option(source, "path", "")
        if fmt not in FORMATS:
            raise CatalogError(f"catalog.sources[{i}].format: '{fmt}' is not one of {list(FORMATS)}")
        if not raw:
            raise CatalogError(f"catalog.sources[{i}].path: missing")
        options = {"allowed_hosts": list(_option(source, "allowed_hosts", [])), "category": _option(source, "category")}
        jobs += [(f, fmt, options) for f in _files_under(raw, _SUFFIXES[fmt], f"catalog.sources[{i}].path")]
    return jobs


def load_catalog(paths: Iterable[str], sources: Iterable[Any] = (), strict: bool = False) -> Catalog:
    """Load ``paths`` (.py modules and standard .json specs) and ``sources`` (each a mapping or
    object with format, path, allowed_hosts, category) into one catalog with unique names.
    ``strict`` runs the full JSON-Schema meta check on every spec, also those whose importer built
    the schema itself (apigen/catalog/schema_check.py)."""
    paths, sources = list(paths), list(sources)
    specs: list[ApiSpec] = []
    origin: dict[str, Path] = {}
    for file, fmt, options in _jobs(paths, sources):
        try:
            loaded = import_file(fmt, file, **options)
        except SpecError as exc:
            raise CatalogError(f"{file}: {exc}") from None
        except (ValueError, ImportError, SyntaxError, OSError) as exc:
            raise CatalogError(f"{file}: cannot be read as {fmt}: {exc}") from None
        for spec in loaded:
            if strict:
                try:
                    validate_parameters(spec.name, spec.parameters, strict=True)
                except SpecError as exc:
                    raise CatalogError(f"{file}: {exc}") from None
            if spec.name in origin:
                raise CatalogError(f"{file}: API '{spec.name}' is already defined in {origin[spec.name]}")
            origin[spec.name] = file
            specs.append(spec)
    if not specs:
        raise CatalogError(f"catalog.paths {paths} / catalog.sources: no APIs found")
    return Catalog(tuple(specs))
