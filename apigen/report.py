"""Per-stage statistics (the paper's Table 1), rejection reasons, and the human-readable report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from apigen.report_data import DUPLICATE_STAGES, Figures, duplicate_counts
from apigen.verify.reasons import describe


def stage_statistics(stages: list[str], generated: int, kept: int, rejected: Mapping[tuple[str, str], int]) -> dict[str, Any]:
    """The per-stage table (the paper's Table 1), counts and reasons, following the stage chain:
    ``rejected`` maps (stage, reason) to the number of candidates rejected there."""
    order = list(stages) + sorted({stage for stage, _ in rejected} - set(stages))
    reasons: dict[str, Counter[str]] = {stage: Counter() for stage in order}
    for (stage, reason), count in rejected.items():
        reasons[stage][reason] += count
    entered = generated
    table = []
    for stage in order:
        failed = sum(reasons[stage].values())
        table.append({
            "stage": stage, "entered": entered, "passed": entered - failed, "rejected": failed,
            "pass_rate": round((entered - failed) / entered, 4) if entered else None,
        })
        entered -= failed
    breakdown = []
    for stage in order:
        stage_total = sum(reasons[stage].values())
        for reason, count in reasons[stage].most_common():
            breakdown.append({
                "stage": stage, "reason": reason, "count": count,
                "share_of_stage_rejections": round(count / stage_total, 4),
                "share_of_generated": round(count / generated, 4),
                "meaning": describe(stage, reason),
            })
    return {
        "counts": {"generated": generated, **{f"failed_{row['stage']}": row["rejected"] for row in table}, "kept": kept},
        "stages": table,
        "reasons": {stage: dict(counter.most_common()) for stage, counter in reasons.items()},
        "reason_breakdown": breakdown,
        "overall_pass_rate": round(kept / generated, 4) if generated else None,
    }


OVERLAPS_SHOWN = 50  # overlap matches listed in report.md (the manifest has more)


def overlap_statistics(rejected: Mapping[tuple[str, str], int], overlaps: list[dict[str, Any]]) -> dict[str, Any]:
    """Duplicate and benchmark-overlap counts, and the overlap matches (candidate query, BFCL item,
    overlap) as the decontaminate stage recorded them: the data report.md (and report.html) show."""
    return {
        "counts": duplicate_counts(rejected),
        "overlap_matches": [{"query": o.get("query", ""), "benchmark": o.get("benchmark", "BFCL"), "item_id": o.get("item_id", ""),
                             "question": o.get("question", ""), "overlap": o.get("overlap")} for o in overlaps],
    }


def _cell(text: str, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def render_duplicates_markdown(manifest: dict[str, Any]) -> str:
    """The duplicate and overlap counts, and the overlap matches, as Markdown."""
    data = manifest.get("duplicates") or overlap_statistics({}, [])
    chain = manifest.get("verifier", {}).get("stages")
    lines = []
    for stage, reason, label in DUPLICATE_STAGES:
        checked = "" if chain is None or stage in chain else " (stage not in the chain: not checked)"
        lines.append(f"- {label} (`{stage}`, `{reason}`): {data['counts'].get(reason, 0)}{checked}")
    matches = data["overlap_matches"]
    if matches:
        lines += ["", "| Candidate query | Benchmark item | Overlap |", "|---|---|---:|"]
        lines += [f"| {_cell(m['query'])} | {m['benchmark']} `{m['item_id']}` | {_rate(m['overlap'])} |"
                  for m in matches[:OVERLAPS_SHOWN]]
        total = data["counts"].get("benchmark_overlap", 0)
        if total > min(len(matches), OVERLAPS_SHOWN):
            lines.append(f"\n{min(len(matches), OVERLAPS_SHOWN)} of {total} shown; every one is in verdicts.jsonl.")
    return "\n".join(lines)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render_table(stats: dict[str, Any]) -> str:
    lines = [f"{'Stage':<12}{'Entered':>9}{'Passed':>9}{'Rejected':>10}{'Pass rate':>11}"]
    for row in stats["stages"]:
        lines.append(f"{row['stage']:<12}{row['entered']:>9}{row['passed']:>9}{row['rejected']:>10}{_rate(row['pass_rate']):>11}")
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


def _md(text: Any) -> str:
    """A table cell: model text on one line, without breaking the table."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_figures_markdown(figures: Figures) -> str:
    """Coverage, queries and argument types (report_data.Figures) as Markdown; the duplicate counts
    are render_duplicates_markdown's (they come with the overlap matches)."""
    lines = ["## Coverage", "", "| Style | Generated | Kept |", "|---|---:|---:|"]
    lines += [f"| {_md(style)} | {n['generated']} | {n['kept']} |" for style, n in figures.styles.items()]
    lines += ["", "| Category | APIs | APIs used | Calls | Kept rows |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {_md(c['category'])} | {c['apis']} | {c['apis_used']} | {c['calls']} | {c['examples']} |" for c in figures.categories]
    lines += ["", "| API | Calls in kept rows | Kept rows |", "|---|---:|---:|"]
    lines += [f"| `{_md(a['name'])}` | {a['calls']} | {a['examples']} |" for a in figures.apis]
    unused = ", ".join(f"`{_md(n)}`" for n in figures.unused_apis)
    lines += ["", f"Catalog APIs never called in a kept row: {unused or 'none'}."]
    if figures.no_call_rows:
        lines += [f"Kept rows whose right answer is no call: {figures.no_call_rows}."]
    s = figures.length_summary
    lines += ["", "## Queries", ""]
    lines += [f"Words per kept query: min {s['min']}, median {s['median']}, mean {s['mean']}, max {s['max']} ({s['rows']} rows)."
              if s.get("rows") else "No kept query."]
    lines += ["", "| Words | Kept rows |", "|---|---:|"]
    lines += [f"| {b['low']}{'' if b['low'] == b['high'] else '-' + str(b['high'])} | {b['count']} |" for b in figures.length_histogram]
    lines += ["", "| Measure | Distinct | Total | Ratio |", "|---|---:|---:|---:|"]
    lines += [f"| {name.replace('_', '-')} | {d['unique']}{'' if d['exact'] else ' (estimated)'} | {d['total']} | "
              f"{'-' if d['ratio'] is None else format(d['ratio'], '.3f')} |" for name, d in figures.distinct.items()]
    lines += ["", "## Argument types", "", "| JSON type | Values in kept calls |", "|---|---:|"]
    lines += [f"| {t} | {n} |" for t, n in figures.argument_types.items()]
    lines += ["", "report.html shows the same figures as charts, with a sample of kept and rejected rows.", ""]
    return "\n".join(lines)


def render_report(manifest: dict[str, Any], figures: Figures | None = None) -> str:
    """report.md: the manifest's figures for people; ``manifest`` holds the stage statistics, and
    ``figures`` (when given) the coverage, query and argument figures."""
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
        "## Duplicates and benchmark overlap",
        "",
        render_duplicates_markdown(manifest),
        "",
        *([render_figures_markdown(figures)] if figures is not None else []),
    ])


def render_merge_report(manifest: dict[str, Any]) -> str:
    """report.md of ``apigen.merge``: Table 1 in total (the merged dataset, its last row the
    cross-shard duplicates dropped) and per shard, then the rejection reasons in total."""
    usage = manifest.get("usage", {})
    samples = manifest.get("samples", {})
    missing = manifest.get("missing_shards", [])
    lines = [
        f"# APIGen merge: {manifest.get('name', '')}",
        "",
        f"- status: {manifest.get('status')} ({len(manifest.get('shards', []))} shard directories of "
        f"{manifest.get('shard_count')} shards{f'; missing shards: {missing}' if missing else ''})",
        f"- rows: {manifest.get('rows')}; samples finished: {samples.get('finished')} of {samples.get('requested')}",
        f"- tokens: {usage.get('prompt_tokens', 0)} prompt + {usage.get('completion_tokens', 0)} completion;"
        f" cost: {usage.get('cost_usd') if usage.get('cost_usd') is not None else 'unknown'}",
        "",
        "## Per-stage results, all shards",
        "",
        "```",
        render_table(manifest),
        "```",
        "",
    ]
    for shard in manifest.get("shards", []):
        done = shard.get("samples", {})
        lines += [f"## Shard {shard.get('index')}: {shard.get('status')}{'' if shard.get('complete') else ' (incomplete)'}",
                  "", f"`{shard.get('dir')}`", ""]
        if "stages" in shard:
            lines += [f"samples finished: {done.get('finished')} of {done.get('requested')}; "
                      f"cross-shard duplicates dropped: {shard.get('cross_shard_duplicates', 0)}",
                      "", "```", render_table(shard), "```", ""]
    lines += ["## Rejection reasons, all shards", "", render_breakdown_markdown(manifest), ""]
    return "\n".join(lines)
