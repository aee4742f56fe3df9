"""The labelled set built from BFCL's ground truth (apigen/bfcl/labelled.py): deterministic,
every row passes the format check, and each wrong row differs from its item's correct row in
exactly the way its kind says. Needs BFCL's data (scripts/setup.sh installs it)."""

from __future__ import annotations

from collections import Counter

import pytest

from apigen.bfcl.data import NON_LIVE, load_category
from apigen.bfcl.labelled import KINDS, LabelledRow, build_labelled_set
from apigen.bfcl.mutations import absent
from apigen.verify.format import FormatChecker


@pytest.fixture(scope="module")
def built():
    return build_labelled_set()


def by_kind(rows: list[LabelledRow]) -> dict[str, list[LabelledRow]]:
    groups: dict[str, list[LabelledRow]] = {}
    for row in rows:
        groups.setdefault(row.kind, []).append(row)
    return groups


def test_same_seed_same_rows_and_another_seed_other_rows(built):
    catalog, rows = built
    again_catalog, again = build_labelled_set()
    assert [r.candidate.to_json() for r in again] == [r.candidate.to_json() for r in rows]
    assert [r.change for r in again] == [r.change for r in rows] and again_catalog.digest() == catalog.digest()
    _, other = build_labelled_set(seed=1)
    assert {r.row_id for r in other} != {r.row_id for r in rows}


def test_counts_ids_and_labels(built):
    _, rows = built
    counts = Counter(r.kind for r in rows)
    assert set(counts) == set(KINDS) and all(counts[k] >= 50 for k in KINDS), counts
    assert all(counts[k] == 50 for k in KINDS[1:])
    assert len({r.row_id for r in rows}) == len(rows)
    for row in rows:
        assert row.row_id == f"{row.candidate.sample_id}:{row.kind}" == row.candidate.candidate_id
        assert row.correct == (row.kind == "correct") and bool(row.change) == (not row.correct)
    groups = by_kind(rows)
    for kind in KINDS[1:]:  # each wrong kind from different items
        assert len({r.candidate.sample_id for r in groups[kind]}) == len(groups[kind])
    correct_items = {r.candidate.sample_id for r in groups["correct"]}
    assert {r.candidate.sample_id for r in rows} == correct_items  # every wrong row's item has its correct row
    assert {i.rsplit("_", 1)[0] for i in correct_items} == set(NON_LIVE)


def test_every_row_passes_the_format_check_against_the_one_catalog(built):
    catalog, rows = built
    checker = FormatChecker(catalog)
    failed = [(r.row_id, v.detail) for r in rows if not (v := checker.verdict(r.candidate)).passed]
    assert not failed


def test_the_catalog_renames_conflicting_specs_and_keeps_each_items_schemas(built):
    catalog, rows = built
    assert len(set(catalog.names)) == len(catalog)
    items = {i.id: i for c in NON_LIVE for i in load_category(c)}
    renamed = 0
    for row in by_kind(rows)["correct"]:
        item = items[row.candidate.sample_id]
        assert len(row.candidate.api_names) == len(item.functions)
        for name, original in zip(row.candidate.api_names, item.functions):
            spec = catalog.get(name)
            assert spec is not None and spec.parameters == original.parameters and spec.executor.kind == "none"
            renamed += name != original.name
    assert renamed  # BFCL reuses names (math.gcd, ...) with other schemas


def _differences(a: dict, b: dict) -> list[str]:
    return [k for k in a.keys() | b.keys() if a.get(k, object()) != b.get(k, object())]


def test_each_wrong_row_differs_from_its_correct_row_in_the_described_way(built):
    _, rows = built
    groups = by_kind(rows)
    correct = {r.candidate.sample_id: r.candidate.calls for r in groups["correct"]}
    for row in groups["wrong_value"]:
        base, calls = correct[row.candidate.sample_id], row.candidate.calls
        assert [c.name for c in calls] == [c.name for c in base]
        changed = [(i, _differences(c.arguments, b.arguments)) for i, (c, b) in enumerate(zip(calls, base)) if c != b]
        assert len(changed) == 1 and len(changed[0][1]) == 1, row.row_id
        (i, [arg]), = changed
        old, new = base[i].arguments[arg], calls[i].arguments[arg]
        assert type(new) is type(old) and absent(new, row.candidate.query) and str(new).lower() not in row.candidate.query.lower()
    for row in groups["wrong_function"]:
        base, calls = correct[row.candidate.sample_id], row.candidate.calls
        diff = [i for i, (c, b) in enumerate(zip(calls, base)) if c != b]
        assert len(calls) == len(base) and len(diff) == 1, row.row_id
        assert calls[diff[0]].name in row.candidate.api_names and calls[diff[0]].name not in {b.name for b in base}
    for row in groups["missing_call"]:
        base, calls = correct[row.candidate.sample_id], row.candidate.calls
        assert len(base) >= 3 and len(calls) == len(base) - 1
        assert any(base[:i] + base[i + 1:] == calls for i in range(len(base))), row.row_id
    for row in groups["extra_call"]:
        base, calls = correct[row.candidate.sample_id], row.candidate.calls
        assert calls[:-1] == base and calls[-1] not in base, row.row_id


def test_stated_values_and_arguments_built_from_the_query():
    from apigen.bfcl.mutations import build_arguments, stated
    from apigen.catalog.importers.tool_formats import bfcl_spec

    query = "Find the factorial of 5,10 and 15 for 'Bob' in New York. It's 2.5 km."
    assert stated(5, query) and stated(15, query) and stated(2.5, query) and stated("new york", query)
    assert not stated(1, query) and not stated(0.5, query) and not stated("York City", query) and not stated(True, query)
    assert not absent(1, query) and absent(7, query)  # absent: not even inside another number
    spec = bfcl_spec({"name": "g", "description": "d", "parameters": {"type": "dict", "properties": {
        "n": {"type": "integer", "description": "n"}, "x": {"type": "float", "description": "x"},
        "who": {"type": "string", "description": "w"}, "where": {"type": "string", "description": "w"},
        "opt": {"type": "string", "description": "o"}}, "required": ["n", "x", "who", "where"]}})
    assert build_arguments(spec, {"n": 3, "opt": 4}, query) == {"n": 3, "x": 5, "who": "Bob", "where": "New York"}
    needs_list = bfcl_spec({"name": "h", "description": "d", "parameters": {"type": "dict", "properties": {
        "items": {"type": "array", "items": {"type": "string"}, "description": "i"}}, "required": ["items"]}})
    assert build_arguments(needs_list, {}, query) is None
