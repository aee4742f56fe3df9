"""The built-in catalog: size, spec quality, and every example call passing in the real sandbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from apigen.catalog import load_catalog
from apigen.catalog.check import check_catalog, results_match
from apigen.paths import catalog_dir

PAPER_CATEGORIES = {"Finance", "Data", "Sports", "Travel", "Technology", "Social", "Media", "Entertainment", "Tools", "Math",
                    "Business", "Music", "Gaming", "Commerce", "Environment", "Education", "Communication", "Lifestyle",
                    "Health", "Other", "Science"}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(["builtin:api_catalog"])


def test_all_21_categories_with_at_least_10_apis_each(catalog):
    groups = catalog.by_category()
    assert set(groups) == PAPER_CATEGORIES
    small = {c: len(s) for c, s in groups.items() if len(s) < 10}
    assert not small, f"categories with fewer than 10 APIs: {small}"
    assert len(catalog) >= 250


def test_every_api_is_documented_and_has_an_example(catalog):
    for spec in catalog.specs:
        assert len(spec.description) >= 20, spec.name
        assert spec.examples, f"{spec.name} has no example call"
        assert spec.executor.kind == "python"
        for pname, schema in spec.parameters["properties"].items():
            assert len(schema["description"]) >= 3, f"{spec.name}.{pname} lacks a description"
        for example in spec.examples:
            assert set(example.arguments) <= set(spec.parameters["properties"]), spec.name
            assert set(spec.parameters.get("required", [])) <= set(example.arguments), spec.name


def test_modules_stay_small():
    for module in catalog_dir().glob("*.py"):
        assert len(module.read_text().splitlines()) <= 320, module.name


def test_every_example_call_passes_in_the_sandbox(catalog):
    report = asyncio.run(check_catalog(catalog, workers=2))
    assert len(report.outcomes) == sum(len(s.examples) for s in catalog.specs)
    assert not report.failures, "\n".join(f"{f.api}[{f.index}]: {f.detail}" for f in report.failures)


def test_results_match_tolerates_float_noise_but_not_real_differences():
    assert results_match({"a": [1.0, 2.0]}, {"a": [1.0000000001, 2]})
    assert not results_match({"a": 1.0}, {"a": 1.01})
    assert not results_match(True, 1)
    assert not results_match({"a": 1}, {"a": 1, "b": 2})
    assert not results_match("x", ["x"])


def test_a_wrong_example_is_reported(tmp_path: Path):
    module = tmp_path / "wrong.py"
    module.write_text(
        'from apigen.catalog import api\nCATEGORY = "Math"\n\n'
        '@api(examples=[{"arguments": {"x": 2}, "result": 5}, {"arguments": {"x": 3}, "result": 9}])\n'
        'def square(x: int) -> int:\n    """Square a number.\n\n    Args:\n        x: The number.\n    """\n    return x * x\n'
    )
    report = asyncio.run(check_catalog(load_catalog([str(module)])))
    assert [(f.api, f.index) for f in report.failures] == [("square", 0)]
    assert "expected 5, got 4" in report.failures[0].detail
