"""BFCL's single-turn data (questions, function docs, possible answers), read from the installed
``bfcl-eval`` package's data files.

The package is installed with ``--no-deps`` for its data only and is never imported (its
``__init__`` pulls in heavy dependencies): ``find_spec`` of a top-level package locates it
without running it.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from apigen.catalog.importers.tool_formats import bfcl_spec
from apigen.records import ApiSpec, ToolCall
from apigen.verify.format import StrictValidator

PACKAGE = "bfcl-eval"
VERSION = "2026.3.23"
INSTALL_HINT = "python -m apigen.bfcl install"

# category -> query style; "" for the irrelevance categories, which expect no call.
CATEGORIES = {
    "simple_python": "simple", "multiple": "multiple", "parallel": "parallel", "parallel_multiple": "parallel_multiple",
    "irrelevance": "",
    "live_simple": "simple", "live_multiple": "multiple", "live_parallel": "parallel",
    "live_parallel_multiple": "parallel_multiple", "live_irrelevance": "",
}
NON_LIVE = ("simple_python", "multiple", "parallel", "parallel_multiple")


class BfclDataError(RuntimeError):
    """BFCL's data cannot be read; the message says how to install it."""


@dataclass(frozen=True)
class BfclItem:
    """One BFCL row: the question (the first user message), the offered functions as specs, and
    the possible answers, one {function: {argument: [acceptable values]}} per expected call."""

    id: str
    category: str
    question: str
    functions: tuple[ApiSpec, ...]
    ground_truth: tuple[dict[str, dict[str, list[Any]]], ...]
    style: str
    raw_functions: tuple[dict[str, Any], ...] = ()  # the function docs as BFCL wrote them (for its checker)

    @property
    def api_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.functions)


def data_dir() -> Path:
    """The installed package's data folder (``bfcl_eval/data``), without importing the package."""
    spec = importlib.util.find_spec(PACKAGE.replace("-", "_"))
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    folder = Path(locations[0]) / "data" if locations else None
    if folder is None or not (folder / "possible_answer").is_dir():
        raise BfclDataError(f"BFCL data not found: the package {PACKAGE}=={VERSION} is not installed. Fix: {INSTALL_HINT}")
    return folder


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise BfclDataError(f"BFCL data file {path} is missing (expected in {PACKAGE}=={VERSION}). Fix: {INSTALL_HINT}")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _first_user_text(question: list[list[dict[str, Any]]]) -> str:
    return next((str(m.get("content", "")) for turn in question for m in turn if m.get("role") == "user"), "")


@cache
def _load(category: str) -> tuple[BfclItem, ...]:
    if category not in CATEGORIES:
        raise BfclDataError(f"unknown BFCL category '{category}'; known: {list(CATEGORIES)}")
    folder = data_dir()
    rows = _jsonl(folder / f"BFCL_v4_{category}.json")
    answers: dict[str, Any] = {}
    if CATEGORIES[category]:
        answers = {a["id"]: a["ground_truth"] for a in _jsonl(folder / "possible_answer" / f"BFCL_v4_{category}.json")}
    items = []
    for row in rows:
        functions = tuple(bfcl_spec(f, index=i, category=category) for i, f in enumerate(row["function"]))
        items.append(BfclItem(row["id"], category, _first_user_text(row["question"]), functions,
                              tuple(answers.get(row["id"], ())), CATEGORIES[category], tuple(row["function"])))
    return tuple(items)


def load_category(category: str) -> list[BfclItem]:
    """Every row of one category (see CATEGORIES), in the file's order."""
    return list(_load(category))


_ANY = object()  # no schema to check a value against (inside nested answers)


def _first_value(acceptable: list[Any], schema: Any = _ANY) -> tuple[bool, Any]:
    """(present, value): the first acceptable value that is not "" ("" means 'may be omitted')
    and fits the parameter's ``schema`` (None: the function does not declare the parameter).
    A few of BFCL's answers list values that break the function's own schema ("venue": ["",
    true] for a string, an argument the function lacks): where no value fits, the argument is
    omitted if "" allows it, else the first value is kept (and the schema check rejects it)."""
    values = [_concrete(v) for v in acceptable if v != ""]
    fitting = values if schema is _ANY else [v for v in values if schema is not None and StrictValidator(schema).is_valid(v)]
    if fitting:
        return True, fitting[0]
    if values and "" not in acceptable:
        return True, values[0]
    return False, None


def _concrete(value: Any) -> Any:
    # Inside a possible answer a dict maps each key to its own list of acceptable values.
    if isinstance(value, dict):
        picked = {key: _first_value(vals if isinstance(vals, list) else [vals]) for key, vals in value.items()}
        return {key: v for key, (present, v) in picked.items() if present}
    if isinstance(value, list):
        return [_concrete(v) if isinstance(v, dict) else v for v in value]
    return value


def reference_calls(item: BfclItem) -> tuple[ToolCall, ...]:
    """One concrete correct answer: each argument's first acceptable value (see _first_value)."""
    specs = {f.name: f.parameters.get("properties", {}) for f in item.functions}
    calls = []
    for expected in item.ground_truth:
        for name, arguments in expected.items():
            properties = specs.get(name)
            picked = {arg: _first_value(values, _ANY if properties is None else properties.get(arg))
                      for arg, values in arguments.items()}
            calls.append(ToolCall(name, {arg: v for arg, (present, v) in picked.items() if present}))
    return tuple(calls)


_NOT_QUESTIONS = ("BFCL_v4_format_sensitivity.json",)  # ids of items of other files, one JSON object


def all_questions() -> list[tuple[str, str]]:
    """(id, text) of every user message of every BFCL question file (single- and multi-turn, live,
    memory, web search): what a generated dataset must not repeat. A message of a later turn has
    the id "<row id> turn <n>"; a text met again (the multi-turn variants share turns) keeps its
    first id."""
    found: dict[str, str] = {}
    for path in sorted(data_dir().glob("BFCL_v4_*.json")):
        if path.name in _NOT_QUESTIONS:
            continue
        for row in _jsonl(path):
            turns = row.get("question", [])
            for number, turn in enumerate(turns, start=1):
                for message in turn if isinstance(turn, list) else []:
                    text = str(message.get("content", "")).strip() if isinstance(message, dict) else ""
                    if text and message.get("role") == "user":
                        found.setdefault(text, row["id"] if number == 1 else f"{row['id']} turn {number}")
    return [(item_id, text) for text, item_id in found.items()]
