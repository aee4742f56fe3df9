"""What the shard, merge and launcher tests share: a deterministic fake model (each reply a function
of the prompt alone, with repeated queries, so some duplicates fall in different shards) and the
overrides of a small run against it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from conftest import TEST_DATA, FakeLLMServer, fake_llm_overrides


def generator(request: dict) -> str:
    """One or two queries per prompt, drawn from only five: samples often repeat a query."""
    prompt = json.dumps(request["messages"], sort_keys=True)
    n = int(hashlib.sha256(prompt.encode()).hexdigest(), 16)
    pairs = [{"query": f"Divide {(n >> (8 * k)) % 5 + 10} by 4.",
              "answers": [{"name": "divide", "arguments": {"b": 4, "a": (n >> (8 * k)) % 5 + 10}}]}
             for k in range(1 + n % 2)]
    return json.dumps({"pairs": pairs})


def judge(request: dict) -> str:
    """Rejects the query about 12, passes the others."""
    rejects = re.search(r"Divide 12 by 4", request["messages"][-1]["content"])
    return json.dumps({"thought": "ok", "passed": not rejects})


def scripts() -> dict:
    return {"generator": generator, "judge": judge}


def overrides(server: FakeLLMServer, num_samples: int, *extra: str) -> list[str]:
    """A run of ``num_samples`` on the calculator catalog, every export format, concurrency 1 (which
    of two identical queries the dedup stage keeps depends on completion order above it). One to
    three queries asked per call: with one API and one style, that is what makes prompts differ
    (with one query per call, 8 samples get 2 distinct prompts)."""
    return [*fake_llm_overrides(server), f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]", "catalog.apis=[divide]",
            "sampler=simple_only", "sampler.queries_per_call.max=3", f"num_samples={num_samples}", "output=all_formats", "concurrency=1", *extra]


def rows(run_dir: Path) -> bytes:
    """A run's (or a merge's) exported rows, byte for byte."""
    return (run_dir / "dataset" / "examples.jsonl").read_bytes()


def prompts(run_dir: Path) -> dict[str, tuple[int, str]]:
    """sample id -> (index, prompt messages as JSON) of every generation call in candidates.jsonl."""
    found = {}
    for line in (run_dir / "candidates.jsonl").read_text().splitlines():
        record = json.loads(line)
        found[record["request"]["sample_id"]] = (record["request"]["index"], json.dumps(record["prompt"], sort_keys=True))
    return found
