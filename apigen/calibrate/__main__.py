"""``python -m apigen.calibrate [options] [hydra overrides]``: how well the verifier separates
correct from wrong rows, measured on a labelled set built from BFCL's ground truth.

The set (apigen.bfcl.labelled) holds correct rows and rows made wrong on purpose: one value
changed to contradict the query, a wrong function among the offered ones, a call left out of a
parallel answer, an extra call. Every stage of the configured chain runs on every row (``dedup``,
``near_dup`` and ``decontaminate`` are left out: the rows share queries on purpose and are BFCL's
own; so is ``execution``: BFCL's functions cannot run), and the table gives, per stage and for the chain, the share of correct rows kept and of
wrong rows rejected, and the seconds per item. The same Hydra overrides as a run choose the models
and the stages, so a hosted judge or solver is calibrated the same way:

    python -m apigen.calibrate                                   # the default chain, embedded model
    python -m apigen.calibrate --also semantic 'verifier.stages=[format,grounding,roundtrip]'
    python -m apigen.calibrate llm=openai llm.model=openai/gpt-4o-mini --out calibration.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

import apigen  # noqa: F401  (sets the offline environment before litellm is imported)
from apigen.bfcl.data import VERSION as BFCL_VERSION
from apigen.bfcl.data import BfclDataError
from apigen.bfcl.labelled import LabelledRow, build_labelled_set
from apigen.build import register_local_backend
from apigen.calibrate.measure import LLM_STAGES, StageScores, chain_outcome, figures, score_stage
from apigen.config import Config, register_schemas, validate
from apigen.execution import ExecutionService, SandboxPool
from apigen.llm.roles import active_roles
from apigen.paths import config_dir
from apigen.prompting import PromptRenderer
from apigen.verify.chain import StageContext, StageEnv, stage_named

SKIPPED = ("dedup", "near_dup", "decontaminate", "execution")
KINDS = ("wrong_value", "wrong_function", "missing_call", "extra_call")


def compose_config(overrides: list[str]) -> Config:
    register_schemas()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3", job_name="calibrate"):
        dcfg = compose(config_name="config", overrides=overrides)
    cfg: Config = OmegaConf.to_object(dcfg)  # type: ignore[assignment]
    validate(cfg)
    return cfg


def _subset(rows: Sequence[LabelledRow], per_kind: int | None) -> list[LabelledRow]:
    if per_kind is None:
        return list(rows)
    taken: dict[str, int] = {}
    chosen = []
    for row in rows:
        if taken.get(row.kind, 0) < per_kind:
            taken[row.kind] = taken.get(row.kind, 0) + 1
            chosen.append(row)
    return chosen


async def measure(cfg: Config, rows: list[LabelledRow], env: StageEnv, chain: list[str], extra: list[str],
                  llm_rows_per_kind: int | None) -> dict[str, StageScores]:
    """Each chain stage on every row the chain would show it, plus, for the LLM stages, the first
    ``llm_rows_per_kind`` rows of each kind (all rows when None), for the stage's own figure."""
    scores: dict[str, StageScores] = {}
    contexts = {r.row_id: StageContext() for r in rows}
    sample = _subset(rows, llm_rows_per_kind)
    for name in [*chain, *extra]:
        stage = stage_named(name, env)
        if name in LLM_STAGES:
            earlier = chain[: chain.index(name)] if name in chain else None
            reached = {r.row_id for r in rows if earlier is not None and chain_outcome(earlier, r.row_id, scores, _flagging(cfg))}
            todo = [r for r in rows if r.row_id in reached or r in sample]
        else:
            todo = rows
        print(f"{name}: {len(todo)} rows ...", file=sys.stderr, flush=True)
        scores[name] = await score_stage(stage, todo, cfg.concurrency, contexts)
    return scores


def _flagging(cfg: Config) -> list[str]:
    """Stages that only flag in this config (they record a signal and reject nothing)."""
    return ["grounding"] if cfg.verifier.grounding.mode == "flag" else []


def _pct(value: float) -> str:
    return "   -  " if value != value else f"{100 * value:5.1f}%"


def table(rows: list[LabelledRow], scores: dict[str, StageScores], chains: list[tuple[str, list[str], list[str]]],
          grounding_mode: str = "flag") -> str:
    head = f"{'stage / chain':<44} {'correct kept':>14} {'wrong rejected':>16} " + " ".join(f"{k:>15}" for k in KINDS) + f" {'s/item':>8}"
    lines = [head, "-" * len(head)]

    def line(label: str, outcome: dict[str, bool | None], seconds: str) -> str:
        f = figures(rows, outcome)
        wrong = sum(f.wrong.values())
        per_kind = " ".join(f"{_pct(f.rejected_share(k)):>8} ({f.wrong.get(k, 0):>3})" for k in KINDS)
        return (f"{label:<44} {_pct(f.kept_share):>7} ({f.correct:>4}) {_pct(f.rejected_share()):>8} ({wrong:>4}) "
                f"{per_kind} {seconds:>8}")

    for name, stage in scores.items():
        label = name if name != "grounding" else (
            f"{name} (as mode reject)" if grounding_mode == "flag" else f"{name} (mode {grounding_mode})")
        per = f"{stage.seconds / stage.units:.2f}" if stage.units else "-"
        lines.append(line(label, dict(stage.passed), per))
    lines.append("-" * len(head))
    for label, chain, flag_only in chains:
        lines.append(line(label, {r.row_id: chain_outcome(chain, r.row_id, scores, flag_only) for r in rows}, ""))
    return "\n".join(lines)


def chain_variants(chain: list[str], extra: list[str], flagging: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """The configured chain, and what it would measure without each LLM stage, with grounding in
    the other mode, and with each extra stage appended."""
    def label(stages: list[str], flags: list[str]) -> str:
        return "chain " + " > ".join(f"{s}(flag)" if s in flags else s for s in stages)

    variants = [(label(chain, flagging) + "  [configured]", chain, flagging)]
    for name in chain:
        if name in LLM_STAGES:
            without = [s for s in chain if s != name]
            variants.append((label(without, flagging), without, flagging))
    if "grounding" in chain:
        other = [] if flagging else ["grounding"]
        variants.append((label(chain, other), chain, other))
    for name in extra:
        variants.append((label([*chain, name], flagging), [*chain, name], flagging))
    return variants


def report(cfg: Config, rows: list[LabelledRow], scores: dict[str, StageScores], chain: list[str]) -> dict[str, Any]:
    """Per-row verdicts, for review."""
    return {
        "models": [r.model for r in active_roles(cfg)],
        "cores": os.cpu_count(),
        "rows": [{"row_id": r.row_id, "kind": r.kind, "correct": r.correct, "change": r.change, "query": r.candidate.query,
                  "calls": [c.to_dict() for c in r.candidate.calls],
                  "verdicts": {n: s.reasons.get(r.row_id) for n, s in scores.items()},
                  "chain_kept": chain_outcome(chain, r.row_id, scores, _flagging(cfg))} for r in rows],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apigen.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=50, help="rows per kind of the labelled set (default 50)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the labelled set")
    parser.add_argument("--also", default="", help="stages measured on their own besides the chain, comma-separated")
    parser.add_argument("--llm-rows-per-kind", type=int, default=None,
                        help="LLM stages see the rows the chain shows them plus this many per kind (default: all rows)")
    parser.add_argument("--out", type=Path, help="write every row's verdicts to this JSON file")
    args, overrides = parser.parse_known_args(argv)
    bad = [o for o in overrides if "=" not in o]
    if bad:
        parser.error(f"unknown argument(s) {bad}; Hydra overrides look like key=value")
    try:
        cfg = compose_config(overrides)
        catalog, rows = build_labelled_set(args.per_kind, args.seed)
    except (BfclDataError, ValueError) as exc:
        print(f"calibrate: error: {exc}", file=sys.stderr)
        return 2
    chain = [s for s in cfg.verifier.stages if s not in SKIPPED]
    extra = [s for s in args.also.split(",") if s and s not in chain]
    counts = {k: sum(1 for r in rows if r.kind == k) for k in ("correct", *KINDS)}
    print(f"Labelled set: BFCL ground truth (bfcl-eval {BFCL_VERSION}), seed {args.seed}: "
          + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print(f"Models: {', '.join(sorted({r.model for r in active_roles(cfg)}))}; {os.cpu_count()} cores; "
          f"left out: {', '.join(s for s in cfg.verifier.stages if s in SKIPPED) or 'nothing'}")
    # The --also stages' models are loaded too (a judge on another embedded model, say).
    register_local_backend(replace(cfg, verifier=replace(cfg.verifier, stages=[*cfg.verifier.stages, *extra])))
    pool = SandboxPool.from_config(cfg.verifier.execution)
    env = StageEnv(cfg, catalog, PromptRenderer(cfg.prompt.search_path), {}, ExecutionService(pool))
    scores = asyncio.run(measure(cfg, rows, env, chain, extra, args.llm_rows_per_kind))
    print(table(rows, scores, chain_variants(chain, extra, _flagging(cfg)), cfg.verifier.grounding.mode))
    print("(s/item: seconds per row; for roundtrip per distinct query, which a run pays per candidate. "
          "Wrong-row columns: share rejected (rows).)")
    if args.out:
        args.out.write_text(json.dumps(report(cfg, rows, scores, chain), indent=1, ensure_ascii=False))
        print(f"Per-row verdicts: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
