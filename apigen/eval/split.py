"""``python -m apigen.eval.split RUN_DIR``: write a run's kept examples as a train and a held-out
test file, split by the same stable hash of each example's id that ``eval=run`` uses, so a model
fine-tuned on train.jsonl is evaluated on exactly the rows it never saw.

Formats (one JSON object per line): the renderings of the run's own export,
apigen/export/renderings.py (openai, sharegpt, xlam, bfcl_python); each row keeps its candidate id
as its id where the format has one. Rows whose calls have no Python spelling are left out of
bfcl_python files and counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from apigen.config import EvalConfig
from apigen.eval.items import EvalDataError, in_test_split, run_examples
from apigen.export.python_calls import NotPythonExpressible
from apigen.export.renderings import RENDERINGS, valid_unicode

FORMATS = tuple(RENDERINGS)
DEFAULT_TEST_FRACTION = EvalConfig().test_fraction  # the split eval=run holds out by default


def write_split(run_dir: Path, out_dir: Path, test_fraction: float, fmt: str) -> dict[str, int]:
    """train.jsonl and test.jsonl; returns the rows of each and those left out (no Python spelling)."""
    counts = {"train": 0, "test": 0, "left_out": 0}
    examples = run_examples(run_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "train.jsonl").open("w", encoding="utf-8") as train, (out_dir / "test.jsonl").open("w", encoding="utf-8") as test:
        for example in examples:
            try:
                row = RENDERINGS[fmt](valid_unicode(example), example.candidate_id)
            except NotPythonExpressible:
                counts["left_out"] += 1
                continue
            split = "test" if in_test_split(example.candidate_id, test_fraction) else "train"
            (test if split == "test" else train).write(json.dumps(row, ensure_ascii=False) + "\n")
            counts[split] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apigen.eval.split", description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path, help="a run directory (it holds verdicts.jsonl)")
    parser.add_argument("--out", type=Path, help="where train.jsonl and test.jsonl go (default RUN_DIR/splits/FORMAT)")
    parser.add_argument("--test-fraction", type=float, default=DEFAULT_TEST_FRACTION, help=f"share held out (default {DEFAULT_TEST_FRACTION})")
    parser.add_argument("--format", choices=FORMATS, default="openai", help="row format (default openai)")
    args = parser.parse_args(argv)
    if not 0.0 < args.test_fraction < 1.0:
        parser.error("--test-fraction must be in (0, 1)")
    out = args.out or args.run_dir / "splits" / args.format
    try:
        counts = write_split(args.run_dir, out, args.test_fraction, args.format)
    except EvalDataError as exc:
        print(f"apigen.eval.split: error: {exc}", file=sys.stderr)
        return 2
    left_out = f"; {counts['left_out']} left out (calls with no Python spelling)" if counts["left_out"] else ""
    print(f"{counts['train']} train and {counts['test']} test rows ({args.format}) in {out}{left_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
