"""Loading the catalog from config paths, with validation and selection."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from apigen.catalog.python_module import specs_from_module
from apigen.catalog.spec import SpecError, spec_from_dict
from apigen.paths import resolve_path
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
        return stable_hash([s.to_dict() for s in self.specs])

    def select(self, categories: Iterable[str] = (), apis: Iterable[str] = (), exclude: Iterable[str] = ()) -> "Catalog":
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


def _load_file(path: Path) -> list[ApiSpec]:
    if path.suffix == ".py":
        return specs_from_module(path)
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data if isinstance(data, list) else data.get("apis", []) if isinstance(data, dict) else None
        if entries is None:
            raise CatalogError(f"{path}: expected a list of API specs or an object with 'apis'")
        return [spec_from_dict(e, base_dir=str(path.parent)) for e in entries]
    raise CatalogError(f"{path}: unsupported catalog file type (use .py or .json)")


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*")
            if p.suffix in (".py", ".json") and not p.name.startswith("_") and "__pycache__" not in p.parts
        )
    raise CatalogError(f"catalog.paths: '{path}' does not exist")


def load_catalog(paths: Iterable[str]) -> Catalog:
    specs: list[ApiSpec] = []
    origin: dict[str, Path] = {}
    for raw in paths:
        for file in _files_under(resolve_path(raw)):
            try:
                loaded = _load_file(file)
            except SpecError as exc:
                raise CatalogError(f"{file}: {exc}") from None
            except (json.JSONDecodeError, ImportError, SyntaxError) as exc:
                raise CatalogError(f"{file}: cannot be read: {exc}") from None
            for spec in loaded:
                if spec.name in origin:
                    raise CatalogError(f"{file}: API '{spec.name}' is already defined in {origin[spec.name]}")
                origin[spec.name] = file
                specs.append(spec)
    if not specs:
        raise CatalogError(f"catalog.paths {list(paths)}: no APIs found")
    return Catalog(tuple(specs))
