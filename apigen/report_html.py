"""report.html: the run's report as one self-contained page with inline SVG charts.

No script, no external file, no network: the page declares a Content-Security-Policy that allows
nothing but its own inline style. Every string from the run (queries, calls, details: model
output, so untrusted) is HTML-escaped. Charts carry their figures as ``data-`` attributes
(``svg[data-chart]``, ``.bar[data-label][data-value]``) so that tests can read them back.
The figures come from the manifest (stage table, reasons) and ``report_data.Figures``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from apigen.report_data import DUPLICATE_REASONS, Figures
from apigen.verify.reasons import REASONS

CHART_WIDTH = 760
ROW_HEIGHT = 22
BAR_COLOR, WHOLE_COLOR, REJECT_COLOR = "#3b6fb6", "#d5dde8", "#c8553d"
_LABEL_PX = 7.5  # approximate width of one label character at the chart's font size


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def _percent(part: float, whole: float) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "-"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    whole: int | None = None  # drawn behind the bar (what the value is a part of)
    note: str = ""  # text after the bar; the value when empty


def bar_chart(chart: str, bars: list[Bar], caption: str, color: str = BAR_COLOR) -> str:
    """Horizontal bars, one row per label; a bar with a ``whole`` is drawn over a pale bar of it."""
    if not bars:
        return f'<p class="empty">{esc(caption)}: nothing to show.</p>'
    label_width = min(260, max(60, max(len(b.label) for b in bars) * _LABEL_PX + 16))
    note_width = min(240, max(len(b.note or str(b.value)) for b in bars) * _LABEL_PX + 16)
    plot = CHART_WIDTH - label_width - note_width
    top = max([b.value for b in bars] + [b.whole or 0 for b in bars]) or 1
    height = ROW_HEIGHT * len(bars) + 8
    rows = []
    for i, b in enumerate(bars):
        y = 4 + i * ROW_HEIGHT
        label = b.label if len(b.label) * _LABEL_PX <= label_width - 16 else b.label[: int((label_width - 16) // _LABEL_PX) - 1] + "…"
        whole = (f'<rect class="whole" x="{label_width}" y="{y + 3}" width="{b.whole / top * plot:.1f}" height="{ROW_HEIGHT - 6}"'
                 f' fill="{WHOLE_COLOR}"/>') if b.whole else ""
        rows.append(
            f'<g><title>{esc(b.label)}: {esc(b.note or b.value)}</title>'
            f'<text x="{label_width - 6}" y="{y + ROW_HEIGHT / 2 + 4}" text-anchor="end">{esc(label)}</text>{whole}'
            f'<rect class="bar" data-label="{esc(b.label)}" data-value="{b.value}"'
            f'{f" data-whole={chr(34)}{b.whole}{chr(34)}" if b.whole is not None else ""}'
            f' x="{label_width}" y="{y + 3}" width="{b.value / top * plot:.1f}" height="{ROW_HEIGHT - 6}" fill="{color}"/>'
            f'<text class="value" x="{label_width + max(b.value, b.whole or 0) / top * plot + 6:.1f}" y="{y + ROW_HEIGHT / 2 + 4}">'
            f'{esc(b.note or b.value)}</text></g>')
    return (f'<figure><svg class="chart" data-chart="{esc(chart)}" role="img" aria-label="{esc(caption)}"'
            f' width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}"'
            f' xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg><figcaption>{esc(caption)}</figcaption></figure>')


def histogram_chart(chart: str, bins: list[dict[str, int]], caption: str) -> str:
    """Vertical bars over equal-width bins, labelled with their range."""
    if not bins:
        return f'<p class="empty">{esc(caption)}: nothing to show.</p>'
    height, bottom, left = 220, 40, 30
    step = min(80.0, (CHART_WIDTH - left) / len(bins))
    top = max(b["count"] for b in bins) or 1
    plot = height - bottom - 20
    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{CHART_WIDTH}" y2="{height - bottom}" stroke="#888"/>']
    for i, b in enumerate(bins):
        label = str(b["low"]) if b["low"] == b["high"] else f'{b["low"]}–{b["high"]}'
        h = b["count"] / top * plot
        x = left + i * step
        parts.append(
            f'<g><title>{esc(label)} words: {b["count"]} rows</title>'
            f'<rect class="bar" data-label="{esc(label)}" data-value="{b["count"]}" x="{x + 2:.1f}" y="{height - bottom - h:.1f}"'
            f' width="{step - 4:.1f}" height="{h:.1f}" fill="{BAR_COLOR}"/>'
            f'<text class="value" x="{x + step / 2:.1f}" y="{height - bottom - h - 4:.1f}" text-anchor="middle">{b["count"] or ""}</text>'
            f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">{esc(label)}</text></g>')
    parts.append(f'<text x="{left + step * len(bins) / 2:.1f}" y="{height - 6}" text-anchor="middle">words per query</text>')
    return (f'<figure><svg class="chart" data-chart="{esc(chart)}" role="img" aria-label="{esc(caption)}"'
            f' width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}"'
            f' xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg><figcaption>{esc(caption)}</figcaption></figure>')


def table(headers: list[str], rows: list[list[Any]], cls: str = "") -> str:
    """An HTML table; every cell is escaped (cells already rendered as HTML are passed as ``Raw``)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c.html if isinstance(c, Raw) else esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


@dataclass(frozen=True)
class Raw:
    html: str


def _code(text: str) -> Raw:
    return Raw(f"<code>{esc(text)}</code>")


def _calls(calls: list[dict[str, Any]], assistant_text: str = "") -> Raw:
    if not calls:
        return Raw(f'<em>no call</em>{f"<pre>{esc(assistant_text)}</pre>" if assistant_text else ""}')
    return Raw("<pre>" + esc("\n".join(json.dumps(c, ensure_ascii=False) for c in calls)) + "</pre>")


def _funnel(manifest: dict[str, Any]) -> str:
    stages = manifest.get("stages", [])
    bars = [Bar(row["stage"], row["passed"], row["entered"],
                f'{row["passed"]} of {row["entered"]} passed ({_percent(row["passed"], row["entered"])})') for row in stages]
    counts = manifest.get("counts", {})
    bars.append(Bar("kept", counts.get("kept", 0), counts.get("generated", 0),
                    f'{counts.get("kept", 0)} of {counts.get("generated", 0)} kept'))
    return bar_chart("funnel", bars, "Candidates entering each stage (pale) and passing it (dark), in chain order")


def _reasons(manifest: dict[str, Any]) -> str:
    rows = manifest.get("reason_breakdown", [])
    if not rows:
        return "<p>No candidate was rejected.</p>"
    bars = [Bar(f'{r["stage"]} · {r["reason"]}', r["count"], None, f'{r["count"]} ({_percent(r["count"], manifest["counts"]["generated"])})')
            for r in rows]
    chart = bar_chart("reasons", bars, "Rejected candidates by stage and reason code", REJECT_COLOR)
    return chart + table(["Stage", "Reason", "Count", "% of generated", "Meaning"],
                         [[r["stage"], _code(r["reason"]), r["count"], _percent(r["count"], manifest["counts"]["generated"]),
                           r["meaning"]] for r in rows])


def _duplicates(figures: Figures) -> str:
    bars = [Bar(code, count) for code, count in figures.duplicates.items()]
    meanings = {r.code: r.meaning for r in REASONS if r.code in DUPLICATE_REASONS}
    return (bar_chart("duplicates", bars, "Rows rejected as repeats of another row or of a public benchmark", REJECT_COLOR)
            + table(["Reason", "Rejected rows", "Meaning"],
                    [[_code(code), count, meanings.get(code) or "(no stage with this code in this version)"]
                     for code, count in figures.duplicates.items()]))


def _coverage(figures: Figures) -> str:
    styles = bar_chart("styles", [Bar(style, n["kept"], n["generated"], f'{n["kept"]} kept of {n["generated"]}')
                                  for style, n in figures.styles.items()],
                       "Query styles: kept rows (dark) of generated candidates (pale)")
    categories = bar_chart("categories", [Bar(c["category"], c["calls"], None, f'{c["calls"]} calls, {c["apis_used"]}/{c["apis"]} APIs')
                                          for c in figures.categories], "Calls in kept rows by API category")
    apis = bar_chart("apis", [Bar(a["name"], a["calls"]) for a in figures.apis], "Calls in kept rows by API (catalog order)")
    unused = (f'<p><strong>{len(figures.unused_apis)} of {len(figures.apis)} catalog APIs never called in a kept row:</strong> '
              + ", ".join(f"<code>{esc(n)}</code>" for n in figures.unused_apis) + "</p>") if figures.unused_apis else \
        "<p>Every catalog API is called in at least one kept row.</p>"
    no_call = f"<p>{figures.no_call_rows} kept row(s) have no call as their right answer.</p>" if figures.no_call_rows else ""
    return ("<h3>By style</h3>" + styles + "<h3>By category</h3>" + categories
            + table(["Category", "APIs", "APIs used", "Calls", "Kept rows"],
                    [[c["category"], c["apis"], c["apis_used"], c["calls"], c["examples"]] for c in figures.categories])
            + "<h3>By API</h3>" + apis + unused + no_call)


def _queries(figures: Figures) -> str:
    s = figures.length_summary
    summary = (f'<p>{s["rows"]} kept queries; words per query: min {s["min"]}, median {s["median"]}, mean {s["mean"]}, max {s["max"]}.</p>'
               if s.get("rows") else "<p>No kept query.</p>")
    distinct = table(["Measure", "Distinct", "Total", "Ratio"],
                     [[name.replace("_", "-"), f'{d["unique"]}{"" if d["exact"] else " (estimated)"}', d["total"],
                       "-" if d["ratio"] is None else f'{d["ratio"]:.3f}'] for name, d in figures.distinct.items()], "distinct")
    return (histogram_chart("query_length", figures.length_histogram, "Kept queries by length in words") + summary
            + "<h3>Distinct n-grams</h3><p>Unique word n-grams over all n-grams in kept queries (lower-cased): "
              "low ratios mean repetitive queries.</p>" + distinct)


def _argument_types(figures: Figures) -> str:
    total = sum(figures.argument_types.values())
    return bar_chart("argument_types", [Bar(t, n, None, f"{n} ({_percent(n, total)})") for t, n in figures.argument_types.items()],
                     "JSON types of argument values in kept calls")


def _samples(figures: Figures) -> str:
    kept = table(["Query", "Style", "Calls"], [[r["query"], r["style"], _calls(r["calls"], r.get("assistant_text", ""))]
                                              for r in figures.kept_sample], "rows kept")
    rejected = table(["Stage", "Reason", "Query", "Calls", "Detail"],
                     [[r["stage"], Raw(f'<code>{esc(r["reason"])}</code><br><small>{esc(r["meaning"])}</small>'), r["query"],
                       _calls(r["calls"]), r["detail"]] for r in figures.rejected_sample], "rows rejected")
    return (f"<h3>Kept ({len(figures.kept_sample)} drawn at random)</h3>{kept if figures.kept_sample else '<p>None.</p>'}"
            f"<h3>Rejected (up to a few per reason)</h3>{rejected if figures.rejected_sample else '<p>None.</p>'}")


STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;
vertical-align:top}th{background:#f3f5f8}td pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:12px}
svg text{font:12px system-ui,sans-serif;fill:#222}figure{margin:8px 0}figcaption{color:#555;font-size:12px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px}
.card b{display:block;font-size:20px}code{background:#f3f5f8;padding:0 3px}
"""


def render_html(manifest: dict[str, Any], figures: Figures) -> str:
    counts, usage = manifest.get("counts", {}), manifest.get("usage", {})
    models = manifest.get("models", {})
    cards = [("generated", counts.get("generated", 0)), ("kept", counts.get("kept", 0)),
             ("kept share", _percent(counts.get("kept", 0), counts.get("generated", 0))),
             ("samples finished", f'{manifest.get("samples", {}).get("finished")} of {manifest.get("samples", {}).get("requested")}'),
             ("tokens", usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)),
             ("wall time", f'{manifest.get("timings", {}).get("wall_s")} s')]
    sections = [
        ("funnel", "Funnel per stage", _funnel(manifest)),
        ("reasons", "Rejection reasons", _reasons(manifest)),
        ("duplicates", "Duplicates and benchmark overlap", _duplicates(figures)),
        ("coverage", "Coverage", _coverage(figures)),
        ("queries", "Queries", _queries(figures)),
        ("arguments", "Argument types", _argument_types(figures)),
        ("samples", "Sample rows", _samples(figures)),
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>APIGen run: {esc(manifest.get('name', ''))}</title><style>{STYLE}</style></head><body>",
        f"<h1>APIGen run: {esc(manifest.get('name', ''))}</h1>",
        f"<p>status <strong>{esc(manifest.get('status'))}</strong>; generator <code>{esc(models.get('generator'))}</code>;"
        f" judge <code>{esc(models.get('judge'))}</code>; stages: {esc(' → '.join(manifest.get('verifier', {}).get('stages', [])))}</p>",
        '<div class="cards">' + "".join(f'<div class="card"><b>{esc(v)}</b>{esc(k)}</div>' for k, v in cards) + "</div>",
        *(f'<section id="{sid}"><h2>{esc(title)}</h2>{body}</section>' for sid, title, body in sections),
        "<p><small>Written by APIGen from manifest.json, candidates.jsonl and verdicts.jsonl; report.md has the same figures."
        " Reason codes are explained in docs/VERIFICATION.md.</small></p>",
        "</body></html>", ""])
