"""The embedded model's baseline on BFCL, and our matcher against BFCL's own checker on its answers.

    python benchmarks/bench_eval_baseline.py [--limit 100] [--out DIR] [--run RUN_DIR] [overrides]

1. Runs ``python -m apigen.eval`` (default: the embedded Qwen2.5-Coder-1.5B, native tool calls)
   on BFCL's simple, multiple, parallel, parallel_multiple and irrelevance, ``--limit`` seeded
   items per category, into ``--out`` (a finished or interrupted run there is resumed, not
   redone), and prints its table. The scores are recomputed from the stored answers, so the
   table always reflects the current matcher.
2. For every answer to an AST category whose calls could be read, compares our verdict
   (apigen.matching.possible) with bfcl-eval's ``ast_checker`` and prints the agreement and each
   disagreement.
3. With ``--run``, evaluates the same model on that run's held-out test split and prints its table.

Not a timed test: the figures are the baseline quoted in docs/EVALUATION.md. On 2 cores a BFCL
answer takes about 6 s (parallel ones longer), so --limit 100 runs about an hour.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from apigen.bfcl.checker import bfcl_verdict
from apigen.bfcl.data import load_category
from apigen.eval.items import EvalItem
from apigen.eval.runner import RESULTS, EvalResult
from apigen.eval.score import score_ast
from apigen.eval.table import render, summarize

CATEGORIES = "[simple_python,multiple,parallel,parallel_multiple,irrelevance]"


def run_eval(out: Path, overrides: list[str]) -> None:
    command = [sys.executable, "-m", "apigen.eval", f"hydra.run.dir={out}", *overrides]
    print("$ " + " ".join(command), flush=True)
    subprocess.run(command, check=False)


def rescored(out: Path) -> list[tuple[EvalResult, EvalItem | None]]:
    """Each stored answer with its BFCL item (None for other sources), scored again."""
    items = {}
    results = [EvalResult.from_json(line) for line in (out / RESULTS).read_text(encoding="utf-8").splitlines() if line.strip()]
    for category in sorted({r.category for r in results}):
        try:
            items.update({i.id: i for i in load_category(category)})
        except Exception:  # noqa: BLE001 - not a BFCL category (a run's or a file's items)
            pass
    pairs = []
    for r in results:
        bfcl = items.get(r.id)
        item = EvalItem(r.id, r.category, r.query, bfcl.functions if bfcl else (), r.expected)
        score = score_ast(item, r.answer) if bfcl else r.score
        pairs.append((EvalResult(r.id, r.category, r.query, r.answer, score, r.expected), bfcl))
    return pairs


def agreement(pairs: list[tuple[EvalResult, object]]) -> None:
    compared, agreed, valid, unreadable = 0, 0, 0, 0
    disagreements = []
    for result, item in pairs:
        if item is None or not result.expected:  # irrelevance: BFCL checks only that no call decodes
            continue
        if result.answer.error or result.answer.unreadable or not result.answer.calls:
            unreadable += 1
            continue
        theirs, error = bfcl_verdict(item, result.answer.calls)  # type: ignore[arg-type]
        compared += 1
        valid += theirs
        if theirs == result.score.ast:
            agreed += 1
        else:
            disagreements.append(f"  {result.id}: ours {result.score.reason} ({result.score.detail[:120]}), BFCL {error or 'valid'}")
    print(f"\nMatcher vs BFCL's ast_checker on {compared} real answers to AST categories "
          f"({valid} valid by BFCL; {unreadable} answers without readable calls left out, both score them wrong): "
          f"agreement {agreed}/{compared} = {100 * agreed / max(compared, 1):.2f}%")
    print("\n".join(disagreements) or "  no disagreement")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=100, help="items per category (default 100)")
    parser.add_argument("--out", type=Path, default=Path("outputs/eval/baseline_bfcl"), help="the BFCL evaluation's directory")
    parser.add_argument("--run", type=Path, help="also evaluate on this run directory's held-out test split")
    parser.add_argument("--skip-answering", action="store_true", help="only score the answers already in --out")
    args, overrides = parser.parse_known_args()
    if not args.skip_answering:
        run_eval(args.out, [f"eval.limit={args.limit}", f"eval.categories={CATEGORIES}", *overrides])
    pairs = rescored(args.out)
    print(f"\n{os.cpu_count()} cores")
    print(render(summarize((r.category, r.score) for r, _ in pairs), f"BFCL, {len(pairs)} items (rescored) in {args.out}"))
    agreement(pairs)
    if args.run:
        out = args.out.with_name(args.out.name + "_own_split")
        run_eval(out, ["eval=run", f"eval.path={args.run}", *overrides])
    return 0


if __name__ == "__main__":
    sys.exit(main())
