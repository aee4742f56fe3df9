"""Large catalogs: imported APIs load fast, user-written schemas are still meta-checked, the strict
check command checks every schema, and a draw does not depend on the catalog's size."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from apigen.catalog import CatalogError, load_catalog
from apigen.catalog.spec import SpecError, validate_parameters
from apigen.config import RangeConfig
from apigen.records import ApiSpec, stable_hash
from apigen.sampling import MULTI_API_STYLES, ApiSampler


def _xlam_file(path: Path, count: int) -> Path:
    types = ["int", "str", "float, optional", "List[str]", "Union[int, str]"]
    tools = [{"name": f"tool_{i}", "description": f"Tool {i}.", "category": f"Cat{i % 12}",
              "parameters": {f"arg{j}": {"type": types[(i + j) % len(types)], "description": f"Argument {j}."}
                             for j in range(1 + i % 4)}} for i in range(count)]
    path.write_text(json.dumps(tools))
    return path


def _openai_file(path: Path, properties: list[dict]) -> Path:
    tools = [{"type": "function", "function": {"name": f"fn_{i}", "description": "A tool.", "parameters":
              {"type": "object", "properties": {"x": schema}, "required": ["x"]}}} for i, schema in enumerate(properties)]
    path.write_text(json.dumps(tools))
    return path


def test_imported_xlam_catalog_loads_without_a_meta_check_per_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # 3,000 specs cost about 2.8 s of CPU with a meta check each; built from the type table they need
    # none. Counted, not timed: the real check runs, and the test counts how often it is asked.
    calls = []
    real = Draft202012Validator.check_schema.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Draft202012Validator, "check_schema", classmethod(lambda cls, schema, *a, **k: (calls.append(1), real(cls, schema, *a, **k))[1]))
    source = _xlam_file(tmp_path / "tools.json", 3000)
    catalog = load_catalog([], [{"format": "xlam", "path": str(source)}])
    assert len(catalog) == 3000
    assert calls == []


@pytest.mark.parametrize("bad, field", [
    ({"type": "integer", "minimum": "zero", "description": "n"}, "parameters.properties.x.minimum"),
    ({"type": "strng", "description": "n"}, "parameters.properties.x.type"),
    ({"type": "string", "description": 5}, "parameters.properties.x.description"),
])
def test_user_written_schemas_are_still_meta_checked_after_a_valid_one_of_the_same_shape(tmp_path: Path, bad: dict, field: str):
    good = {"type": "integer", "minimum": 0, "description": "n"} if "minimum" in bad else {"type": "string", "description": "text"}
    source = _openai_file(tmp_path / "tools.json", [good, good, bad])
    with pytest.raises(CatalogError, match="not a valid JSON Schema") as error:
        load_catalog([], [{"format": "openai", "path": str(source)}])
    assert "fn_2" in str(error.value) and field in str(error.value)


def test_a_schema_marked_built_is_checked_in_strict_mode():
    invalid = {"type": "object", "properties": {"x": {"type": "integer", "minimum": "zero", "description": "n"}}}
    validate_parameters("api", invalid, schema_built=True)  # trusted: no meta check
    with pytest.raises(SpecError, match="not a valid JSON Schema"):
        validate_parameters("api", invalid, schema_built=True, strict=True)


def test_strict_load_checks_imported_schemas_and_accepts_valid_ones(tmp_path: Path):
    source = _xlam_file(tmp_path / "tools.json", 50)
    strict = load_catalog([], [{"format": "xlam", "path": str(source)}], strict=True)
    assert strict.digest() == load_catalog([], [{"format": "xlam", "path": str(source)}]).digest()


def test_catalog_digest_is_the_digest_of_the_full_specs():
    catalog = load_catalog(["builtin:api_catalog"])
    assert catalog.digest() == stable_hash([s.to_dict() for s in catalog.specs])


def _reference_draw(sampler: ApiSampler, rng: random.Random, style: str) -> list[str]:
    """The draw as first written (whole-spec comparisons against a copy of the catalog)."""
    category = rng.choice(sampler.categories)
    if style not in MULTI_API_STYLES:
        return [rng.choice(sampler.groups[category]).name]
    k = min(max(2, rng.randint(sampler.apis_per_prompt.min, sampler.apis_per_prompt.max)), len(sampler.all))
    chosen = rng.sample(sampler.groups[category], min(k, len(sampler.groups[category]))) if rng.random() < sampler.same_category else []
    rest = [s for s in sampler.all if s not in chosen]
    return [s.name for s in chosen + rng.sample(rest, k - len(chosen))]


@pytest.mark.parametrize("count, per_prompt", [(40, RangeConfig(2, 4)), (3000, RangeConfig(2, 4)), (300, RangeConfig(2, 30))])
def test_draws_equal_those_of_the_whole_catalog_comparison(tmp_path: Path, count: int, per_prompt: RangeConfig):
    catalog = load_catalog([], [{"format": "xlam", "path": str(_xlam_file(tmp_path / "tools.json", count))}])
    sampler = ApiSampler(catalog, per_prompt, same_category=0.5)
    for seed in range(300):
        style = MULTI_API_STYLES[seed % 2]
        assert [s.name for s in sampler.sample(random.Random(seed), style)] == _reference_draw(sampler, random.Random(seed), style)


def test_a_draw_compares_no_specs_whatever_the_catalog_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Counted, not timed: comparing whole specs against the catalog (`s not in chosen`) made a draw
    # in a 10,000-API catalog about 25x slower than in a 200-API one.
    large = load_catalog([], [{"format": "xlam", "path": str(_xlam_file(tmp_path / "large.json", 10000))}])
    sampler = ApiSampler(large, RangeConfig(2, 4), 0.5)  # both branches: APIs of one category first, or any
    comparisons = []
    real_eq = ApiSpec.__eq__
    monkeypatch.setattr(ApiSpec, "__eq__", lambda self, other: (comparisons.append(1), real_eq(self, other))[1])
    for seed in range(400):
        assert len(sampler.sample(random.Random(seed), "multiple")) >= 2
    assert comparisons == []
