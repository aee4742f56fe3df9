"""dataset/README.md: the dataset card written with each export. Hugging Face card front matter
(licence, task, size, one config per written format with its splits), then what was generated,
by which models, with which settings, the per-stage table (report.py's, from the manifest), the
mix of the kept rows, the files and which trainer reads each, and the split."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from apigen.config import Config
from apigen.export.dataset import FORMAT_FILES, ExportSummary
from apigen.llm.roles import active_solver
from apigen.report import render_breakdown_markdown, render_table

# Which trainer or tool reads each format (README.md, "Training formats", says the same).
READ_BY = {
    "json": "xlam-function-calling-60k's file shape; `apigen eval eval=file`",
    "jsonl": "the xlam rows one per line; `apigen eval eval=file`",
    "parquet": "the xlam rows; `datasets.load_dataset(\"parquet\", ...)`, the Hugging Face Hub viewer",
    "openai": "OpenAI fine-tuning (chat with tools), TRL's SFTTrainer, axolotl (chat_template); `apigen eval eval=file`",
    "sharegpt": "LLaMA-Factory (formatting: sharegpt, columns messages=conversations, tools=tools)",
    "bfcl_python": "prompt-mode training on BFCL-style Python call strings (`ast`-parsable)",
}
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"))
_HUB_ORDER = ("parquet", "jsonl", "json")  # the file the Hub's default (xlam) config reads, first written wins


def size_category(rows: int) -> str:
    return next((name for limit, name in _SIZES if rows < limit), "n>10M")


def _front_matter(cfg: Config, summary: ExportSummary) -> list[str]:
    lines = ["---", f"license: {json.dumps(cfg.output.license)}", "task_categories:", "- text-generation",
             "tags:", "- function-calling", "- tool-use", "- synthetic", "- apigen",
             "size_categories:", f"- {json.dumps(size_category(summary.total))}", "configs:"]
    xlam = next((f for f in _HUB_ORDER if f in summary.files), None)
    configs = ([("xlam", xlam)] if xlam else []) + [(f, f) for f in summary.files if FORMAT_FILES[f][0] != "xlam"]
    for name, fmt in configs:
        lines += [f"- config_name: {name}", *(["  default: true"] if name == "xlam" else []), "  data_files:"]
        for file in summary.files[fmt]:
            split = file.split(".")[-2] if summary.split else "train"
            lines += [f"  - split: {split}", f"    path: {file}"]
    return lines + ["---"]


def _mix(title: str, counts: Counter[str]) -> list[str]:
    total = sum(counts.values())
    lines = [f"| {title} | rows | share |", "|---|---:|---:|"]
    lines += [f"| {key} | {n} | {n / total * 100:.1f}% |" for key, n in counts.most_common()]
    return lines if total else [f"No {title.lower()} to show: no row was kept."]


def _cell(value: Any) -> str:
    """A value inside a Markdown table cell: a '|' would end the cell."""
    return str(value).replace("|", "\\|")


def _settings(cfg: Config, manifest: Mapping[str, Any]) -> list[str]:
    sampler, catalog = cfg.sampler, manifest.get("catalog", {})
    rows = [
        ("num_samples (generation calls)", cfg.num_samples), ("seed", cfg.seed),
        ("catalog", f"{catalog.get('apis')} APIs; categories: {', '.join(catalog.get('categories', []))}"),
        ("sampler.styles", ", ".join(f"{k}={v:g}" for k, v in sampler.styles.items())),
        ("sampler.apis_per_prompt", f"{sampler.apis_per_prompt.min}-{sampler.apis_per_prompt.max}"),
        ("sampler.queries_per_call", f"{sampler.queries_per_call.min}-{sampler.queries_per_call.max}"),
        ("llm.temperature", cfg.llm.temperature),
        ("verifier.stages", " -> ".join(cfg.verifier.stages)),
        ("overrides", " ".join(manifest.get("overrides", [])) or "(none)"),
        ("run digest", manifest.get("digests", {}).get("run")),
    ]
    return ["| setting | value |", "|---|---|", *(f"| {k} | `{_cell(v)}` |" for k, v in rows),
            "", "The full composed config is in the run directory's `.hydra/config.yaml`."]


def _split_section(summary: ExportSummary) -> list[str]:
    if summary.split is None:
        return ["Not split (`output.split=none`): every file holds all rows, as the Hub's `train` split."]
    rule = summary.split
    held = sorted(summary.held_out)
    return [f"Split by API (`output.split=by_api`, `test_share={rule.test_share}`, `split_seed={rule.seed}`): "
            f"{summary.rows['train']} train rows, {summary.rows['test']} test rows.",
            "A share of the function names is held out by a stable hash of (seed, name); a row that offers any "
            "held-out function, as the one to call or as a distractor, is a test row, so no held-out function "
            "appears anywhere in train.", "",
            f"Held-out functions offered by kept rows ({len(held)}): " + (", ".join(f"`{n}`" for n in held) or "none")]


def render_card(manifest: Mapping[str, Any], cfg: Config, summary: ExportSummary, categories: Mapping[str, str]) -> str:
    """The card; ``manifest`` is the run's final manifest, ``categories`` each API's category."""
    models = manifest.get("models", {})
    solver = active_solver(cfg)
    by_category: Counter[str] = Counter()
    for name, calls in summary.functions.items():
        by_category[categories.get(name, "(not in the catalog)")] += calls
    files = ["| format | file | rows | read by |", "|---|---|---:|---|"]
    for fmt, per_file in summary.files.items():
        files += [f"| {fmt} | `{file}` | {rows} | {READ_BY[fmt]} |" for file, rows in per_file.items()]
    left_out = [f"- `{fmt}` leaves out {n} row(s) whose calls have no Python spelling (a function or argument name "
                "that is not a Python identifier, or a non-finite number)." for fmt, n in summary.left_out.items()]
    return "\n".join([
        *_front_matter(cfg, summary), "",
        f"# {manifest.get('name', cfg.name)}: a verified function-calling dataset", "",
        f"Synthesized with APIGen {manifest.get('versions', {}).get('apigen', '')} (run status: {manifest.get('status')}): "
        f"{summary.total} query/answer rows kept of {manifest.get('counts', {}).get('generated', 0)} generated candidates. "
        "Each row is a user query, the tools offered, and the calls that answer it (none: the right answer is "
        "no call); every kept row passed every stage of the verifier chain below.", "",
        "## Models", "",
        f"- generator: `{models.get('generator')}`",
        f"- judge: `{models.get('judge') or 'none (no semantic stage)'}`",
        f"- round-trip solver: `{solver.model if solver else 'none (no roundtrip stage)'}`", "",
        "## Configuration", "", *_settings(cfg, manifest), "",
        "## Verification, per stage", "", "```", render_table(dict(manifest)), "```", "",
        render_breakdown_markdown(dict(manifest)), "",
        "## What the rows are", "",
        *_mix("Style", summary.styles), "", *_mix("Answer shape (BFCL category)", summary.shapes), "",
        *_mix("API category (calls)", by_category), "",
        f"{len(summary.functions)} distinct functions are called, of {manifest.get('catalog', {}).get('apis')} in the catalog.", "",
        "## Files", "", *files, *([""] + left_out if left_out else []), "",
        "The Hugging Face dataset in this folder (`datasets.load_from_disk`) holds the xlam rows"
        + (" with a `train` and a `test` split." if summary.split else "."), "",
        "## Split", "", *_split_section(summary), "",
        "## Licence", "",
        f"`{cfg.output.license}` (set by `output.license`). The rows were written by the models above: check their "
        "terms of use before you publish or train on them.", "",
    ])
