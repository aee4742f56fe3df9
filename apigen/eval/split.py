"""``python -m apigen.eval.split RUN_DIR``: write a run's kept examples as a train and a held-out
test file, split by the same stable hash of each example's id that ``eval=run`` uses, so a model
fine-tuned on train.jsonl is evaluated on exactly the rows it never saw.

Formats (one JSON object per line):
  openai   {"messages": [user, assistant with tool_calls], "tools": [OpenAI tools]}: TRL's
           SFTTrainer (conversational data with a "tools" column) and axolotl's chat_template
           datasets read it.
  sharegpt {"conversations": [{"from": "human"}, {"from": "function_call"}], "tools": "<JSON>"}:
           LLaMA-Factory's sharegpt format with tools (dataset_info.json: formatting sharegpt,
           columns messages=conversations, tools=tools).
  xlam     {"id", "query", "tools", "answers"} with JSON-string tools and answers: the
           xlam-function-calling-60k shape (``eval=file`` reads it back).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apigen.catalog.formats import to_openai_tool, to_xlam_tool
from apigen.config import EvalConfig
from apigen.eval.items import EvalDataError, EvalItem, in_test_split, run_items
from apigen.surrogates import replace_surrogates

FORMATS = ("openai", "sharegpt", "xlam")
DEFAULT_TEST_FRACTION = EvalConfig().test_fraction  # the split eval=run holds out by default


def _calls(item: EvalItem) -> list[dict[str, Any]]:
    return [{"name": c.name, "arguments": c.arguments} for c in item.reference]


def openai_row(item: EvalItem) -> dict[str, Any]:
    tool_calls = [{"id": f"call_{i}", "type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["arguments"], ensure_ascii=False)}}
                  for i, c in enumerate(_calls(item))]
    return {"messages": [{"role": "user", "content": item.query}, {"role": "assistant", "content": "", "tool_calls": tool_calls}],
            "tools": [to_openai_tool(t.tool_schema()) for t in item.tools]}


def sharegpt_row(item: EvalItem) -> dict[str, Any]:
    return {"conversations": [{"from": "human", "value": item.query},
                              {"from": "function_call", "value": json.dumps(_calls(item), ensure_ascii=False)}],
            "tools": json.dumps([t.tool_schema() for t in item.tools], ensure_ascii=False)}


def xlam_row(item: EvalItem) -> dict[str, Any]:
    return {"id": item.id, "query": item.query, "tools": json.dumps([to_xlam_tool(t.tool_schema()) for t in item.tools], ensure_ascii=False),
            "answers": json.dumps(_calls(item), ensure_ascii=False)}


WRITERS: dict[str, Callable[[EvalItem], dict[str, Any]]] = {"openai": openai_row, "sharegpt": sharegpt_row, "xlam": xlam_row}


def write_split(run_dir: Path, out_dir: Path, test_fraction: float, fmt: str) -> dict[str, int]:
    items = run_items(run_dir, {})
    counts = {"train": 0, "test": 0}
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "train.jsonl").open("w", encoding="utf-8") as train, (out_dir / "test.jsonl").open("w", encoding="utf-8") as test:
        for item in items:
            split = "test" if in_test_split(item.id, test_fraction) else "train"
            (test if split == "test" else train).write(replace_surrogates(json.dumps(WRITERS[fmt](item), ensure_ascii=False)) + "\n")
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
    print(f"{counts['train']} train and {counts['test']} test rows ({args.format}) in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
