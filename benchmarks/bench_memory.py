"""Peak memory of a whole run against the fake OpenAI-compatible server: run state is ids and
counters, so peak RSS must stay flat in the number of samples (goal: 20,000 samples within 1.2x of
2,000). Concurrency 64, judge on, execution on.

    .venv/bin/python benchmarks/bench_memory.py [--sizes 2000 20000] [--concurrency 64]

Each size runs in a fresh process that reports its own peak RSS (ru_maxrss); the fake server runs
in this process, so its memory is not counted. Not a timed test: it prints figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_llm_server import FakeLLMServer  # noqa: E402


class _UnrecordedServer(FakeLLMServer):
    """The test server without its request log (this process would otherwise grow)."""

    def _next_reply(self, request: dict):  # type: ignore[override]
        with self.lock:
            self.count = getattr(self, "count", 0) + 1
            count = self.count
        return self.scripts[self.router(request)](request), count


def _generator() -> object:
    numbers = itertools.count(10_000)
    lock = threading.Lock()

    def reply(_request: dict) -> str:
        with lock:
            n = next(numbers)
        return json.dumps({"pairs": [{"query": f"Is {n} a prime number?", "answers": [{"name": "is_prime", "arguments": {"n": n}}]}]})
    return reply


def child(samples: int, concurrency: int, api_base: str, run_dir: str) -> None:
    """One run in this process; prints its peak RSS in MiB and its counts as JSON."""
    sys.path.insert(0, str(ROOT))
    from apigen.runner import run  # noqa: PLC0415

    from conftest import compose_config, fake_llm_overrides  # noqa: PLC0415

    cfg = compose_config([*fake_llm_overrides(api_base), "catalog.apis=[is_prime]", "sampler=simple_only",
                          f"num_samples={samples}", f"concurrency={concurrency}", "verifier.execution.workers=2"])
    started = time.perf_counter()
    manifest = run(cfg, run_dir)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mib": peak_mib, "wall_s": time.perf_counter() - started, "counts": manifest["counts"]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        samples, concurrency, api_base, run_dir = args.child
        child(int(samples), int(concurrency), api_base, run_dir)
        return
    results = {}
    with _UnrecordedServer({"generator": _generator(), "judge": lambda _r: json.dumps({"thought": "ok", "passed": True})}) as server:
        for size in args.sizes:
            with tempfile.TemporaryDirectory() as tmp:
                out = subprocess.run([sys.executable, __file__, "--child", str(size), str(args.concurrency), server.api_base,
                                      str(Path(tmp) / "run")], capture_output=True, text=True, cwd=str(ROOT),
                                     env=dict(os.environ, PYTHONPATH=str(ROOT)))
                if out.returncode:
                    sys.exit(out.stderr[-3000:])
                results[size] = json.loads(out.stdout.strip().splitlines()[-1])
                r = results[size]
                print(f"{size:>7} samples: peak RSS {r['peak_rss_mib']:.1f} MiB, {r['wall_s']:.1f} s, "
                      f"kept {r['counts']['kept']} of {r['counts']['generated']}", flush=True)
    small, large = min(args.sizes), max(args.sizes)
    ratio = results[large]["peak_rss_mib"] / results[small]["peak_rss_mib"]
    print(f"peak RSS ratio {large}/{small} samples: {ratio:.3f} (goal <= 1.2); {os.cpu_count()} cores, "
          f"concurrency {args.concurrency}, judge on")


if __name__ == "__main__":
    main()
