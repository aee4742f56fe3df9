"""Stage 1 (the format check) on BFCL's reference answers: every correct answer it rejects is a
false rejection, so the share accepted measures how much correct data the check throws away."""

from __future__ import annotations

from collections.abc import Iterable

from apigen.bfcl.data import NON_LIVE, BfclItem, load_category, reference_calls
from apigen.catalog import Catalog
from apigen.records import Candidate, ToolCall, Verdict
from apigen.verify.format import FormatChecker


def as_candidate(item: BfclItem, calls: Iterable[ToolCall] | None = None) -> Candidate:
    """The item as a candidate answered with ``calls`` (default: its reference answer)."""
    answer = reference_calls(item) if calls is None else tuple(calls)
    return Candidate(f"{item.id}:reference", item.id, 0, item.style, item.api_names, item.question, answer)


def reference_verdicts(categories: Iterable[str] = NON_LIVE) -> list[tuple[BfclItem, Verdict]]:
    """The format verdict on each row's reference answer, checked against that row's own
    functions (BFCL reuses function names with different schemas across rows)."""
    results = []
    for category in categories:
        for item in load_category(category):
            checker = FormatChecker(Catalog(item.functions))
            results.append((item, checker.verdict(as_candidate(item))))
    return results
