"""BFCL's data read from the installed bfcl-eval package (scripts/setup.sh installs it; a missing
package fails these tests with the install command, it does not skip them)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from apigen.bfcl import data as bfcl_data
from apigen.bfcl.data import BfclDataError, BfclItem, load_category, reference_calls
from apigen.catalog.importers.tool_formats import bfcl_spec
from apigen.records import ToolCall


def test_the_four_non_live_categories_load_with_their_answers_and_styles():
    sizes = {c: len(load_category(c)) for c in bfcl_data.NON_LIVE}
    assert sizes == {"simple_python": 400, "multiple": 200, "parallel": 200, "parallel_multiple": 200}
    item = load_category("parallel_multiple")[0]
    assert item.id == "parallel_multiple_0" and item.style == "parallel_multiple"
    assert item.question.startswith("Find the sum of all the multiples of 3 and 5")
    assert item.api_names == ("math_toolkit.sum_of_multiples", "math_toolkit.product_of_primes")
    assert item.functions[0].parameters["type"] == "object" and item.functions[0].executor.kind == "none"
    assert reference_calls(item) == (ToolCall("math_toolkit.sum_of_multiples", {"lower_limit": 1, "upper_limit": 1000, "multiples": [3, 5]}),
                                     ToolCall("math_toolkit.product_of_primes", {"count": 5}))


def test_every_category_loads_and_the_irrelevance_ones_have_no_answers():
    for category, style in bfcl_data.CATEGORIES.items():
        items = load_category(category)
        assert items and all(i.style == style and i.question for i in items), category
        assert all(i.functions for i in items if style), category  # a few live_irrelevance rows offer none
        assert all(bool(i.ground_truth) == bool(style) for i in items), category
    # The data are read, the package is never imported (only apigen.bfcl.checker imports its checker).
    probe = "import sys; from apigen.bfcl.data import load_category; load_category('multiple'); print('bfcl_eval' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_reference_calls_take_the_first_value_that_is_not_empty_and_resolve_nested_answers():
    item = BfclItem("x", "parallel", "q", (), (
        {"f": {"a": ["", 2], "b": [""], "c": ["x", "y"]}},
        {"f": {"d": [{"k": ["", "v"], "gone": [""]}], "e": [[{"k": ["w"]}]], "l": [[3, 5]]}},
    ), "parallel")
    assert reference_calls(item) == (ToolCall("f", {"a": 2, "c": "x"}),
                                     ToolCall("f", {"d": {"k": "v"}, "e": [{"k": "w"}], "l": [3, 5]}))


def test_reference_calls_pass_over_values_that_break_the_functions_schema_where_omission_is_allowed():
    # As BFCL's simple_python_307 ("venue": ["", true] for a string) and parallel_multiple_26
    # (an argument "type" that calculate_balance does not declare).
    spec = bfcl_spec({"name": "f", "description": "d", "parameters": {"type": "dict", "properties": {
        "venue": {"type": "string", "description": "v"}, "n": {"type": "integer", "description": "n"}}}})
    item = BfclItem("x", "simple_python", "q", (spec,),
                    ({"f": {"venue": ["", True], "n": [True, 3], "type": ["credit", ""]}},), "simple")
    assert reference_calls(item) == (ToolCall("f", {"n": 3}),)
    kept = BfclItem("x", "simple_python", "q", (spec,), ({"f": {"venue": [True]}},), "simple")
    assert reference_calls(kept) == (ToolCall("f", {"venue": True}),)  # no other answer: kept, and format rejects it


def test_missing_package_is_a_clear_error_with_the_install_command(monkeypatch):
    monkeypatch.setattr(bfcl_data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BfclDataError, match="python -m apigen.bfcl install"):
        bfcl_data.data_dir()
    with pytest.raises(BfclDataError, match="unknown BFCL category"):
        load_category("nope")


def test_path_command_prints_the_data_folder():
    out = subprocess.run([sys.executable, "-m", "apigen.bfcl", "path"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("bfcl_eval/data")
