"""The summary of an evaluation: per category and overall accuracy, in a table like BFCL's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from apigen.eval.score import Score

# BFCL's order of its single-turn categories; other categories follow in name order.
_ORDER = ("simple", "simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance",
          "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance")


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def summarize(scored: Iterable[tuple[str, Score]]) -> dict[str, Any]:
    """{"categories": {name: figures}, "overall": figures, "reasons": {reason: count}}; figures are
    items, ast / relevance accuracy and, over the executable items, execution accuracy. Overall
    gives the micro average (all items alike) and the macro one (categories alike, BFCL's)."""
    counts: dict[str, Counter[str]] = {}
    reasons: Counter[str] = Counter()
    for category, score in scored:
        c = counts.setdefault(category, Counter())
        c["items"] += 1
        c["ast"] += score.ast
        c["relevant"] += score.relevant
        if score.executed is not None:
            c["executable"] += 1
            c["executed"] += score.executed
        if not score.ast:
            reasons[score.reason] += 1

    def figures(c: Counter[str]) -> dict[str, Any]:
        return {"items": c["items"], "ast_accuracy": _share(c["ast"], c["items"]),
                "relevance_accuracy": _share(c["relevant"], c["items"]),
                "executable": c["executable"], "execution_accuracy": _share(c["executed"], c["executable"])}

    names = sorted(counts, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))
    per = {name: figures(counts[name]) for name in names}
    overall = figures(sum(counts.values(), Counter()))
    accuracies = [f["ast_accuracy"] for f in per.values() if f["ast_accuracy"] is not None]
    overall["ast_accuracy_macro"] = round(sum(accuracies) / len(accuracies), 4) if accuracies else None
    return {"categories": per, "overall": overall, "reasons": dict(reasons.most_common())}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def render(summary: dict[str, Any], title: str) -> str:
    """A Markdown table: one row per category, then overall (micro, then macro as BFCL reports)."""
    lines = [f"### {title}", "", "| category | items | AST accuracy | relevance | execution (items) |", "|---|---:|---:|---:|---:|"]
    for name, f in summary["categories"].items():
        execution = f"{_pct(f['execution_accuracy'])} ({f['executable']})" if f["executable"] else "-"
        lines.append(f"| {name} | {f['items']} | {_pct(f['ast_accuracy'])} | {_pct(f['relevance_accuracy'])} | {execution} |")
    o = summary["overall"]
    execution = f"{_pct(o['execution_accuracy'])} ({o['executable']})" if o["executable"] else "-"
    lines.append(f"| **overall** | {o['items']} | {_pct(o['ast_accuracy'])} | {_pct(o['relevance_accuracy'])} | {execution} |")
    lines.append(f"| overall, categories alike | | {_pct(o['ast_accuracy_macro'])} | | |")
    if summary["reasons"]:
        lines += ["", "Misses by reason: " + ", ".join(f"{r} {n}" for r, n in summary["reasons"].items())]
    return "\n".join(lines)
