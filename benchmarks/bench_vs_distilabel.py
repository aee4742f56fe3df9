"""apigen against distilabel 1.5.3's APIGen pipeline on equal work: the same fake server (fixed
latency), the same rows, one generation and one judge call per row, the same calls in flight.

    python benchmarks/bench_vs_distilabel.py            # creates the distilabel venv on first use

distilabel runs in its own virtual environment (``--venv``, default benchmarks/.venv-distilabel,
created here with pip; it is not a dependency of apigen): LoadDataFromDicts -> APIGenGenerator ->
APIGenSemanticChecker, each with an OpenAILLM on the fake server, ``input_batch_size`` = in
flight (distilabel sends a batch's calls at once; its execution checker is left out and the rows
carry an execution result, as apigen runs without its execution stage here). apigen runs
``python -m apigen`` with stages format+dedup+semantic, one query per call, ``concurrency`` = in
flight and ``workers`` = the core count. Printed: rows/s of each over the whole command (start-up
included) and over the server's busy window (first to last request), and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_throughput import ROOT, rate, start_server, stats  # noqa: E402

# distilabel 1.5.3 imports requests without declaring it.
DISTILABEL = ("distilabel[openai]==1.5.3", "requests")

DISTILABEL_PIPELINE = r'''
import json, sys, time
from distilabel.models import OpenAILLM
from distilabel.pipeline import Pipeline
from distilabel.steps import LoadDataFromDicts
from distilabel.steps.tasks import APIGenGenerator, APIGenSemanticChecker

base, rows, inflight = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
desc = json.dumps({"name": "divide", "description": "Divide a by b.",
                   "parameters": {"a": {"type": "float", "description": "dividend"}, "b": {"type": "float", "description": "divisor"}}})
data = [{"examples": "## Query:\nDivide 8 by 2.\n## Answer:\n[{\"name\": \"divide\", \"arguments\": {\"a\": 8, \"b\": 2}}]",
         "func_name": "divide", "func_desc": desc, "execution_result": "2.5", "keep_row_after_execution_check": True}
        for _ in range(rows)]
def llm():
    return OpenAILLM(model="fake-model", base_url=base, api_key="not-needed", max_retries=0, timeout=120)
with Pipeline(name="apigen-bench") as pipeline:
    load = LoadDataFromDicts(data=data, batch_size=inflight)
    generate = APIGenGenerator(llm=llm(), input_batch_size=inflight, number=1)
    judge = APIGenSemanticChecker(llm=llm(), input_batch_size=inflight)
    load >> generate >> judge
started = time.perf_counter()
distiset = pipeline.run(use_cache=False)
elapsed = time.perf_counter() - started
table = distiset["default"]["train"]
kept = sum(1 for row in table if row["keep_row_after_semantic_check"])
print("RESULT " + json.dumps({"rows": kept, "seconds": elapsed}))
'''


def distilabel_python(venv_dir: Path) -> Path:
    python = venv_dir / "bin" / "python"
    if not python.exists():
        print(f"creating {venv_dir} with {' '.join(DISTILABEL)} (once) ...", flush=True)
        venv.create(venv_dir, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *DISTILABEL], check=True)
    return python


def run_distilabel(python: Path, base: str, rows: int, inflight: int) -> tuple[int, float, float]:
    """(rows kept, seconds of the command, server rate)."""
    stats(base, reset=True)
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, DISTILABEL_CACHE_DIR=home, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
        started = time.perf_counter()
        done = subprocess.run([str(python), "-c", DISTILABEL_PIPELINE, f"{base}/v1", str(rows), str(inflight)],
                              capture_output=True, text=True, env=env, cwd=home)
        elapsed = time.perf_counter() - started
    result = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if done.returncode != 0 or result is None:
        raise SystemExit(f"distilabel failed:\n{done.stderr[-3000:]}")
    return json.loads(result[7:])["rows"], elapsed, rate(base)


def run_apigen(base: str, rows: int, inflight: int, workers: int) -> tuple[int, float, float]:
    stats(base, reset=True)
    with tempfile.TemporaryDirectory() as run_dir:
        args = ["llm=openai_compatible", f"llm.api_base={base}/v1", "llm.model=hosted_vllm/fake-model", "llm.preflight=false",
                f"catalog.paths=[{ROOT / 'tests' / 'data' / 'calc_catalog.py'}]", "catalog.apis=[divide]",
                "sampler=simple_only", "verifier.stages=[format,dedup,semantic]", f"num_samples={rows}",
                f"concurrency={inflight}", f"workers={workers}", "output.progress=false", "output.formats=[]",
                f"hydra.run.dir={run_dir}"]
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "apigen", *args], cwd=str(ROOT), capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"the apigen run failed:\n{done.stderr[-3000:]}")
        kept = json.loads((Path(run_dir) / "manifest.json").read_text())["counts"]["kept"]
    return kept, elapsed, rate(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--inflight", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--venv", type=Path, default=ROOT / "benchmarks" / ".venv-distilabel")
    args = parser.parse_args()
    python = distilabel_python(args.venv)
    ideal_s = 2 * args.rows * args.latency / args.inflight
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}  rows: {args.rows}  in flight: "
          f"{args.inflight}  latency: {args.latency} s  ideal: {ideal_s:.1f} s ({args.rows / ideal_s:.0f} rows/s)")
    server, base = start_server(args.latency)
    try:
        results = {"distilabel 1.5.3": run_distilabel(python, base, args.rows, args.inflight),
                   f"apigen (workers={args.workers})": run_apigen(base, args.rows, args.inflight, args.workers)}
    finally:
        server.terminate()
        server.wait()
    print(f"{'':<22} {'rows':>5} {'command s':>9} {'rows/s (command)':>16} {'rows/s (server window)':>22}")
    for name, (rows, seconds, requests_per_s) in results.items():
        print(f"{name:<22} {rows:>5} {seconds:>9.1f} {rows / seconds:>16.1f} {requests_per_s / 2:>22.1f}")
    (ours_rows, ours_s, ours_rate), (their_rows, their_s, their_rate) = list(results.values())[1], list(results.values())[0]
    print(f"ratio apigen/distilabel: {(ours_rows / ours_s) / (their_rows / their_s):.2f}x over the command, "
          f"{ours_rate / their_rate:.2f}x over the server window (goal >= 1.8x)")
    print(f"load average after: {os.getloadavg()[0]:.1f} (other jobs on these cores lower the figures)")


if __name__ == "__main__":
    main()
