"""Configured against achieved share of each derived style (irrelevance, missing_parameter) in the
kept rows of the diverse experiment, run against the test fake server (tests/fake_llm_server.py)
with a generator that writes valid pairs from the catalog's own example calls.

    PYTHONPATH=. python benchmarks/bench_derived_share.py [--samples 400] [--run-dir DIR] [OVERRIDE ...]

The configured share of a style is its weight over the sum of all weights in sampler.styles; the
achieved share is its kept rows over all kept rows. Not a timed test: it prints figures for
docs/VERIFICATION.md. tests/test_relevance.py asserts the same on a smaller run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from apigen.catalog import load_catalog  # noqa: E402
from apigen.config import Config  # noqa: E402
from apigen.records import DERIVED_STYLES  # noqa: E402
from apigen.runner import run  # noqa: E402

from catalog_replies import catalog_generator  # noqa: E402
from conftest import compose_config, fake_llm_overrides, read_jsonl  # noqa: E402
from fake_llm_server import FakeLLMServer  # noqa: E402


def measure(samples: int, run_dir: Path, overrides: list[str]) -> tuple[Config, dict[str, tuple[float, float]], dict]:
    """Run the diverse experiment into run_dir; per derived style (configured %, achieved %), and the manifest."""
    with FakeLLMServer({"generator": [], "judge": ['{"thought": "ok", "passed": true}']}) as server:
        cfg = compose_config([*fake_llm_overrides(server), "+experiment=diverse", f"num_samples={samples}",
                              "concurrency=8", *overrides])
        catalog = load_catalog(cfg.catalog.paths, cfg.catalog.sources)
        server.scripts["generator"] = catalog_generator(catalog)
        manifest = run(cfg, run_dir)
    kept = Counter(o["example"]["style"] for o in read_jsonl(run_dir / "verdicts.jsonl") if o["kept"])
    total_weight, total_kept = sum(cfg.sampler.styles.values()), sum(kept.values())
    shares = {style: (100 * cfg.sampler.styles.get(style, 0) / total_weight, 100 * kept[style] / max(total_kept, 1))
              for style in DERIVED_STYLES}
    return cfg, shares, manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--run-dir", type=Path, default=None)
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="bench_derived_share_")) / "run"
    started = time.perf_counter()
    _, shares, manifest = measure(args.samples, run_dir, [*args.overrides, "output.progress=false"])
    counts = manifest["counts"]
    print(f"\ndiverse experiment, {args.samples} samples, fake server; {counts['generated']} candidates, "
          f"{counts['kept']} kept, {time.perf_counter() - started:.0f} s on {os.cpu_count()} cores; run dir {run_dir}")
    print("relevance rejections:", manifest["reasons"].get("relevance", {}))
    print(f"{'style':<20}{'configured %':>14}{'achieved %':>12}{'diff':>8}")
    for style, (configured, achieved) in shares.items():
        print(f"{style:<20}{configured:>14.1f}{achieved:>12.1f}{achieved - configured:>+8.1f}")


if __name__ == "__main__":
    main()
