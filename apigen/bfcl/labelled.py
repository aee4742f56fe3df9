"""A labelled set for measuring the verifier: BFCL queries with their correct answer, and with
answers wrong in one known way each (a changed value, another function, a dropped call, an
added call). Deterministic for a seed.

Every row passes the format check (a wrong row the format stage already rejects tests nothing
of the later stages). Each wrong kind takes its rows from different base items, preferring
items other kinds already use; the correct rows hold every base item (so a solver that answers
each query once serves both its correct and its wrong rows), topped up to ``per_kind``.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from apigen.bfcl.data import NON_LIVE, BfclItem, load_category, reference_calls
from apigen.bfcl.format_check import as_candidate
from apigen.bfcl.mutations import Mutation, Mutator, string_pool
from apigen.catalog import Catalog
from apigen.records import ApiSpec, Candidate, ToolCall
from apigen.verify.format import FormatChecker

KINDS = ("correct", "wrong_value", "wrong_function", "missing_call", "extra_call")
# The most constrained kinds pick first, so the others can reuse their base items.
_BUILD_ORDER = ("missing_call", "extra_call", "wrong_function", "wrong_value")


@dataclass(frozen=True)
class LabelledRow:
    row_id: str  # f"{item.id}:{kind}"
    kind: str  # one of KINDS
    correct: bool
    candidate: Candidate  # style, api_names (the offered functions), query, calls
    change: str  # what was changed ("" for correct)


class _Format:
    """The format check of one item's answers against that item's own functions."""

    def __init__(self) -> None:
        self._checkers: dict[str, FormatChecker] = {}

    def passes(self, item: BfclItem, calls: Sequence[ToolCall]) -> bool:
        checker = self._checkers.setdefault(item.id, FormatChecker(Catalog(item.functions)))
        return checker.verdict(as_candidate(item, calls)).passed


def _order(items: Sequence[BfclItem], bases: dict[str, BfclItem], seed: int, kind: str) -> Iterator[BfclItem]:
    """Items round-robin over the categories (balance), each category seeded-shuffled with the
    items already used as bases first."""
    rng = random.Random(f"{seed}:{kind}:order")
    groups = []
    for category in NON_LIVE:
        group = [i for i in items if i.category == category]
        rng.shuffle(group)
        groups.append(sorted(group, key=lambda i: i.id not in bases))
    for position in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if position < len(group):
                yield group[position]


def _unified_catalog(items: Sequence[BfclItem]) -> tuple[Catalog, dict[str, dict[str, str]]]:
    """One catalog of every offered function; BFCL reuses a name with different schemas across
    items, so a conflicting spec gets a suffix. Returns item id -> {BFCL name: catalog name}."""
    specs: dict[str, ApiSpec] = {}
    renames: dict[str, dict[str, str]] = {}
    for item in items:
        mapping = renames.setdefault(item.id, {})
        for spec in item.functions:
            name, k = spec.name, 1
            while name in specs and _body(specs[name]) != _body(spec):
                k += 1
                name = f"{spec.name}_{k}"
            specs.setdefault(name, dataclasses.replace(spec, name=name))
            mapping[spec.name] = name
    return Catalog(tuple(specs.values())), renames


def _body(spec: ApiSpec) -> str:
    return json.dumps([spec.description, spec.parameters], sort_keys=True)


def _row(item: BfclItem, kind: str, calls: Sequence[ToolCall], change: str, names: dict[str, str]) -> LabelledRow:
    row_id = f"{item.id}:{kind}"
    candidate = Candidate(row_id, item.id, 0, item.style, tuple(names[n] for n in item.api_names), item.question,
                          tuple(ToolCall(names.get(c.name, c.name), c.arguments) for c in calls))
    return LabelledRow(row_id, kind, kind == "correct", candidate, change)


def build_labelled_set(per_kind: int = 50, seed: int = 0) -> tuple[Catalog, list[LabelledRow]]:
    """The catalog of all offered functions and the rows: the correct ones first, then each wrong
    kind in KINDS order; up to ``per_kind`` rows per wrong kind (fewer where the items allow fewer)."""
    fmt = _Format()
    references = {i.id: reference_calls(i) for c in NON_LIVE for i in load_category(c)}
    items = [i for c in NON_LIVE for i in load_category(c) if fmt.passes(i, references[i.id])]
    mutator = Mutator(string_pool((i, references[i.id]) for i in items))
    bases: dict[str, BfclItem] = {}
    wrong: dict[str, list[tuple[BfclItem, Mutation]]] = {}
    for kind in _BUILD_ORDER:
        rows: list[tuple[BfclItem, Mutation]] = []
        for item in _order(items, bases, seed, kind):
            if len(rows) >= per_kind:
                break
            rng = random.Random(f"{seed}:{kind}:{item.id}")
            found = next((m for m in getattr(mutator, kind)(item, references[item.id], rng) if fmt.passes(item, m.calls)), None)
            if found is not None:
                rows.append((item, found))
        wrong[kind] = rows
        bases.update((item.id, item) for item, _ in rows)
    for item in _order(items, bases, seed, "correct"):
        if len(bases) >= per_kind:
            break
        bases.setdefault(item.id, item)
    catalog, renames = _unified_catalog(list(bases.values()))
    out = [_row(item, "correct", references[item.id], "", renames[item.id]) for item in bases.values()]
    for kind in KINDS[1:]:
        out += [_row(item, kind, m.calls, m.change, renames[item.id]) for item, m in wrong[kind]]
    return catalog, out
