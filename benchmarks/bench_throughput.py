"""Achieved / ideal request rate of a whole run against a fixed-latency OpenAI-compatible server.

    python benchmarks/bench_throughput.py                      # the issue's two settings, judge off and on
    python benchmarks/bench_throughput.py --workers 1 --seconds 5

The server (benchmarks/fast_fake_server.py) runs in its own process, so its CPU is not counted as
ours; its ceiling is measured first with a bare aiohttp client at the same in-flight count, and
then what one process does with nothing but ``litellm.acompletion`` calls (the provider and the
unpriced-model registration apigen uses): the rate one core gets out of litellm alone, which the
workers multiply. Each run is ``python -m apigen`` in a fresh process (calc catalog, one query per
call, stages format+dedup, plus semantic with the judge on; no execution stage, so that the
figure is the LLM path's). The rate is the server's: requests between its first and last one.
Ideal = in-flight / latency. Also printed: CPU ms per request of the run's processes (start-up
included), from getrusage of the children. Figures depend on the machine and on other load: quote
the core count.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ((64, 0.2), (256, 0.5))  # (requests in flight, server latency in seconds): the issue's
MODEL = "hosted_vllm/fake-model"  # the provider conf/llm/openai_compatible.yaml uses


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "fast_fake_server.py"), "--latency", str(latency)],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline() if server.stdout else ""
    if not line.startswith("PORT "):
        server.kill()
        raise SystemExit(f"the fake server did not start: {line!r}")
    return server, f"http://127.0.0.1:{line.split()[1]}"


def stats(base: str, reset: bool = False) -> dict:
    request = urllib.request.Request(f"{base}/{'reset' if reset else 'stats'}", method="POST" if reset else "GET")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def rate(base: str) -> float:
    s = stats(base)
    return (s["requests"] - 1) / (s["last"] - s["first"]) if s["requests"] > 1 and s["last"] > s["first"] else 0.0


CEILING_CLIENT = """
import asyncio, sys, aiohttp
async def main(url, n, inflight):
    body = {"model": "fake-model", "messages": [{"role": "user", "content": "ceiling"}]}
    todo = iter(range(n))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def lane():
            for _ in todo:
                async with session.post(url, json=body) as r:
                    await r.read()
        await asyncio.gather(*(lane() for _ in range(inflight)))
asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def ceiling(base: str, inflight: int, requests: int) -> float:
    """The server's rate with a bare aiohttp client (0.08 ms of CPU a call) in another process."""
    stats(base, reset=True)
    subprocess.run([sys.executable, "-c", CEILING_CLIENT, f"{base}/v1/chat/completions", str(requests), str(inflight)], check=True)
    return rate(base)


LITELLM_CLIENT = """
import asyncio, sys
import litellm
from apigen.llm.client import register_unpriced
base, model, n, inflight = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
register_unpriced([model])
messages = [{"role": "user", "content": "ceiling"}]
async def main():
    todo = iter(range(n))
    async def lane():
        for _ in todo:
            await litellm.acompletion(model=model, messages=messages, api_base=base, temperature=0.7, num_retries=0)
    await asyncio.gather(*(lane() for _ in range(inflight)))
asyncio.run(main())
"""


def litellm_alone(base: str, inflight: int, requests: int) -> float:
    """The server's rate with one process making litellm calls and nothing else."""
    stats(base, reset=True)
    subprocess.run([sys.executable, "-c", LITELLM_CLIENT, f"{base}/v1", MODEL, str(requests), str(inflight)],
                   cwd=str(ROOT), check=True)
    return rate(base)


def run_apigen(base: str, inflight: int, samples: int, judge: bool, workers: int) -> tuple[float, float, int]:
    """(request rate, CPU ms per request of the run's processes, requests)."""
    stages = "[format,dedup,semantic]" if judge else "[format,dedup]"
    with tempfile.TemporaryDirectory() as run_dir:
        args = ["llm=openai_compatible", f"llm.api_base={base}/v1", f"llm.model={MODEL}", "llm.preflight=false",
                f"catalog.paths=[{ROOT / 'tests' / 'data' / 'calc_catalog.py'}]", "catalog.apis=[divide]",
                "sampler=simple_only", f"verifier.stages={stages}", f"num_samples={samples}",
                f"concurrency={inflight}", f"workers={workers}", "output.progress=false", "output.formats=[]",
                f"hydra.run.dir={run_dir}"]
        stats(base, reset=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([sys.executable, "-m", "apigen", *args], cwd=str(ROOT), capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"the run failed:\n{done.stderr[-3000:]}")
    requests = stats(base)["requests"]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return rate(base), 1000 * cpu / max(requests, 1), requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="ideal duration of each run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="apigen worker processes")
    parser.add_argument("--settings", default=",".join(f"{c}@{lat}" for c, lat in SETTINGS),
                        help="in-flight@latency pairs, comma-separated")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  workers: {args.workers}  load average: {os.getloadavg()[0]:.1f}")
    print(f"{'in flight':>9} {'latency':>7} {'judge':>5} {'ideal/s':>8} {'server ceiling':>14} {'litellm, 1 process':>18} "
          f"{'achieved/s':>10} {'achieved/ideal':>14} {'CPU ms/request':>14}")
    for item in args.settings.split(","):
        inflight, latency = int(item.split("@")[0]), float(item.split("@")[1])
        ideal = inflight / latency
        server, base = start_server(latency)
        try:
            top = ceiling(base, inflight, int(ideal * args.seconds))
            alone = litellm_alone(base, inflight, int(ideal * args.seconds))
            for judge in (False, True):
                samples = int(ideal * args.seconds / (2 if judge else 1))
                achieved, cpu_ms, _ = run_apigen(base, inflight, samples, judge, args.workers)
                print(f"{inflight:>9} {latency:>7} {'on' if judge else 'off':>5} {ideal:>8.0f} {top / ideal:>14.2f} "
                      f"{alone / ideal:>18.2f} {achieved:>10.0f} {achieved / ideal:>14.2f} {cpu_ms:>14.2f}", flush=True)
        finally:
            server.terminate()
            server.wait()
    print(f"load average after: {os.getloadavg()[0]:.1f} (other jobs on these cores lower the figures)")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"({time.perf_counter() - start:.0f} s)")
