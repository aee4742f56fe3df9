"""What a model is evaluated on: one ``EvalItem`` per question, from BFCL's data, a run
directory's kept examples (its held-out split) or an xlam / OpenAI-format file."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigen.bfcl.data import CATEGORIES, load_category
from apigen.catalog.importers.tool_formats import schema_spec, xlam_spec
from apigen.catalog.spec import SpecError
from apigen.matching.possible import possible_answers
from apigen.records import ApiSpec, Example, Outcome, Record, ToolCall

ALIASES = {"simple": "simple_python"}


class EvalDataError(ValueError):
    """The data to evaluate on cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class EvalItem(Record):
    """One question: the offered tools, and the possible answers, one {function: {argument:
    [acceptable values]}} per expected call (none: the right answer is no call). ``reference``
    holds concrete calls where the source has them (they can be executed)."""

    id: str
    category: str
    query: str
    tools: tuple[ApiSpec, ...]
    answers: tuple[dict[str, dict[str, list[Any]]], ...]
    reference: tuple[ToolCall, ...] = ()

    def schemas(self) -> dict[str, dict[str, Any]]:
        return {t.name: t.parameters for t in self.tools}


def category_of(calls: tuple[ToolCall, ...], tools: int) -> str:
    """BFCL's category names for a reference answer: no call is irrelevance; one call simple (one
    tool offered) or multiple (several); several calls parallel (one function) or
    parallel_multiple."""
    if not calls:
        return "irrelevance"
    if len(calls) == 1:
        return "simple" if tools == 1 else "multiple"
    return "parallel" if len({c.name for c in calls}) == 1 else "parallel_multiple"


def in_test_split(item_id: str, fraction: float) -> bool:
    """A stable hash of the id: the same rows are held out however the dataset grows."""
    digest = hashlib.sha256(f"apigen-split:{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def bfcl_items(categories: list[str]) -> list[EvalItem]:
    items = []
    for name in categories:
        category = ALIASES.get(name, name)
        if category not in CATEGORIES:
            raise EvalDataError(f"eval.categories: unknown BFCL category '{name}'; known: {sorted(CATEGORIES)} (simple = simple_python)")
        items += [EvalItem(row.id, category, row.question, row.functions, row.ground_truth) for row in load_category(category)]
    return items


def _from_calls(item_id: str, query: str, tools: tuple[ApiSpec, ...], calls: tuple[ToolCall, ...]) -> EvalItem:
    schemas = {t.name: t.parameters for t in tools}
    return EvalItem(item_id, category_of(calls, len(tools)), query, tools, possible_answers(calls, schemas), calls)


def run_examples(run_dir: Path) -> list[Example]:
    """The kept examples of a run (its verdicts.jsonl, read only), one per candidate id (an id
    verified again keeps its place with its newest example)."""
    verdicts = run_dir / "verdicts.jsonl"
    if not verdicts.is_file():
        raise EvalDataError(f"eval.path: {run_dir} is not a run directory (no verdicts.jsonl)")
    examples: dict[str, Example] = {}
    with verdicts.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                outcome = Outcome.from_json(line)
            except (ValueError, TypeError, KeyError) as exc:
                if not line.endswith("\n"):
                    continue  # the last line of a killed run may be cut; it holds nothing finished
                raise EvalDataError(f"{verdicts}:{number}: not a verdict record ({exc})") from None
            if outcome.example is not None:
                examples[outcome.example.candidate_id] = outcome.example
    return list(examples.values())


def run_items(run_dir: Path, catalog_specs: dict[str, ApiSpec]) -> list[EvalItem]:
    """The kept examples of a run as items, ids = candidate ids. The tools are the catalog's specs
    where the catalog has them (so their calls can be executed)."""
    items = []
    for example in run_examples(run_dir):
        tools = tuple(catalog_specs.get(t["name"]) or schema_spec(t) for t in example.tools)
        items.append(_from_calls(example.candidate_id, example.query, tools, example.answers))
    return items


def _tool_spec(tool: Any, where: str) -> ApiSpec:
    """An OpenAI tool ({type: function, function: {...}}), a JSON-Schema tool or an xlam tool."""
    if isinstance(tool, dict) and isinstance(tool.get("function"), dict):
        tool = tool["function"]
    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        raise EvalDataError(f"{where}: a tool must be an object with a name")
    params = tool.get("parameters") or {}
    xlam = isinstance(params, dict) and params.get("type") not in ("object", "dict") and all(isinstance(v, dict) for v in params.values())
    return xlam_spec(tool) if xlam else schema_spec(tool)


def _json_field(value: Any, where: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise EvalDataError(f"{where}: not JSON ({exc})") from None
    return value


def _file_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    if not path.is_file():
        raise EvalDataError(f"eval.path: no file {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield f"{path}:{number}", _json_field(line, f"{path}:{number}")
        return
    data = _json_field(text, str(path))
    if not isinstance(data, list):
        raise EvalDataError(f"{path}: expected a JSON list of rows (or a .jsonl file)")
    for number, row in enumerate(data):
        yield f"{path}[{number}]", row


def _openai_row(row: dict[str, Any], where: str) -> tuple[str, list[Any], list[Any]]:
    """(query, tools, calls) of {messages: [...user, assistant with tool_calls], tools}."""
    messages = row["messages"]
    query = next((m.get("content") or "" for m in reversed(messages) if m.get("role") == "user"), "")
    assistant: dict[str, Any] = next((m for m in reversed(messages) if m.get("role") == "assistant"), {})
    calls = [{"name": c["function"]["name"], "arguments": _json_field(c["function"].get("arguments") or "{}", where)}
             for c in assistant.get("tool_calls") or []]
    return query, row.get("tools") or [], calls


def file_items(path: Path) -> list[EvalItem]:
    """xlam rows {id?, query, tools, answers} (tools / answers may be JSON strings) or OpenAI
    chat rows {messages, tools} whose last assistant message holds the reference tool_calls."""
    items = []
    for where, row in _file_rows(path):
        try:
            if not isinstance(row, dict):
                raise EvalDataError(f"{where}: a row must be an object")
            if "messages" in row:
                query, tools, calls = _openai_row(row, where)
            else:
                query, tools, calls = row["query"], _json_field(row["tools"], where), _json_field(row["answers"], where)
            specs = tuple(_tool_spec(t, where) for t in tools)
            reference = tuple(ToolCall(c["name"], _json_field(c.get("arguments", {}), where)) for c in calls)
        except (KeyError, TypeError, AttributeError) as exc:
            raise EvalDataError(f"{where}: not an xlam row (query, tools, answers) nor an OpenAI row (messages, tools): missing {exc}") from None
        except SpecError as exc:
            raise EvalDataError(f"{where}: {exc}") from None
        items.append(_from_calls(str(row.get("id", where.rsplit("/", 1)[-1])), str(query), specs, reference))
    return items


def sample(items: list[EvalItem], limit: int | None, seed: int) -> list[EvalItem]:
    """At most ``limit`` items per category, a seeded sample kept in the source's order."""
    if limit is None:
        return items
    by_category: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_category.setdefault(item.category, []).append(i)
    chosen: set[int] = set()
    for category, indexes in by_category.items():
        rng = random.Random(f"{seed}:{category}")
        chosen.update(rng.sample(indexes, min(limit, len(indexes))))
    return [items[i] for i in sorted(chosen)]
