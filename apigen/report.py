"""Per-stage statistics (the paper's Table 1), rejection reasons, and the human-readable report."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from apigen.records import STAGES
from apigen.store import Outcome
from apigen.verify.reasons import describe


def stage_statistics(outcomes: Iterable[Outcome], enabled: dict[str, bool]) -> dict[str, Any]:
    outcomes = list(outcomes)
    failed = Counter(o.stage for o in outcomes if not o.kept)
    reasons: dict[str, Counter] = {stage: Counter() for stage in STAGES}
    for o in outcomes:
        if not o.kept:
            reasons.setdefault(o.stage, Counter())[o.reason] += 1
    entered = len(outcomes)
    table = []
    for stage in STAGES:
        rejected = failed.get(stage, 0)
        table.append({
            "stage": stage, "enabled": enabled.get(stage, True), "entered": entered,
            "passed": entered - rejected, "rejected": rejected,
            "pass_rate": round((entered - rejected) / entered, 4) if entered else None,
        })
        entered -= rejected
    kept = sum(1 for o in outcomes if o.kept)
    breakdown = []
    for stage in STAGES:
        stage_total = sum(reasons[stage].values())
        for reason, count in reasons[stage].most_common():
            breakdown.append({
                "stage": stage, "reason": reason, "count": count,
                "share_of_stage_rejections": round(count / stage_total, 4),
                "share_of_generated": round(count / len(outcomes), 4),
                "meaning": describe(stage, reason),
            })
    return {
        "counts": {
            "generated": len(outcomes),
            "failed_format": failed.get("format", 0),
            "failed_execution": failed.get("execution", 0),
            "failed_semantic": failed.get("semantic", 0),
            "kept": kept,
        },
        "stages": table,
        "reasons": {stage: dict(counter.most_common()) for stage, counter in reasons.items()},
        "reason_breakdown": breakdown,
        "overall_pass_rate": round(kept / len(outcomes), 4) if outcomes else None,
    }


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render_table(stats: dict[str, Any]) -> str:
    lines = [f"{'Stage':<12}{'Entered':>9}{'Passed':>9}{'Rejected':>10}{'Pass rate':>11}"]
    for row in stats["stages"]:
        label = row["stage"] + ("" if row["enabled"] else " (off)")
        lines.append(f"{label:<12}{row['entered']:>9}{row['passed']:>9}{row['rejected']:>10}{_rate(row['pass_rate']):>11}")
    counts = stats["counts"]
    lines.append(f"{'overall':<12}{counts['generated']:>9}{counts['kept']:>9}{counts['generated'] - counts['kept']:>10}"
                 f"{_rate(stats['overall_pass_rate']):>11}")
    return "\n".join(lines)


def render_reasons(stats: dict[str, Any]) -> str:
    """The failure breakdown for a terminal: count and share of all generated candidates."""
    lines = []
    for row in stats.get("reason_breakdown", []):
        lines.append(f"  {row['stage']:<10} {row['reason']:<28} {row['count']:>6} {_rate(row['share_of_generated']):>7}")
    return "\n".join(lines) if lines else "  (none)"


def render_breakdown_markdown(stats: dict[str, Any]) -> str:
    """The failure breakdown as a Markdown table, with the meaning of every code."""
    rows = stats.get("reason_breakdown", [])
    if not rows:
        return "No candidate was rejected."
    lines = ["| Stage | Reason | Count | % of the stage's rejections | % of generated | Meaning |",
             "|---|---|---:|---:|---:|---|"]
    for row in rows:
        lines.append(f"| {row['stage']} | `{row['reason']}` | {row['count']} | {_rate(row['share_of_stage_rejections'])}"
                     f" | {_rate(row['share_of_generated'])} | {row['meaning']} |")
    return "\n".join(lines)


def render_report(manifest: dict[str, Any]) -> str:
    """report.md: the manifest's figures for people; ``manifest`` holds the stage statistics."""
    usage = manifest.get("usage", {})
    return "\n".join([
        f"# APIGen run: {manifest.get('name', '')}",
        "",
        f"- status: {manifest.get('status')}",
        f"- generator: `{manifest.get('models', {}).get('generator')}`; judge: `{manifest.get('models', {}).get('judge')}`",
        f"- samples finished: {manifest.get('samples', {}).get('finished')} of {manifest.get('samples', {}).get('requested')}"
        f" (generation errors: {manifest.get('samples', {}).get('generation_errors', 0)})",
        f"- tokens: {usage.get('prompt_tokens', 0)} prompt + {usage.get('completion_tokens', 0)} completion;"
        f" cost: {usage.get('cost_usd') if usage.get('cost_usd') is not None else 'unknown'}",
        f"- wall time: {manifest.get('timings', {}).get('wall_s')} s",
        "",
        "## Per-stage results",
        "",
        "```",
        render_table(manifest),
        "```",
        "",
        "Each stage sees only what the previous stage passed; the pass rate is passed / entered.",
        "",
        "## Rejection reasons",
        "",
        render_breakdown_markdown(manifest),
        "",
        "Codes are defined in `apigen/verify/reasons.py` and explained in docs/VERIFICATION.md;",
        "every rejected candidate is in verdicts.jsonl with its stage, reason and detail.",
        "",
    ])
