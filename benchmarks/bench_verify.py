"""Throughput of Stage 1 (format) + Stage 2 (execution) on a trivial function with a warm pool,
and the sandbox's overhead per call against calling the function in process.

    PYTHONPATH=. python benchmarks/bench_verify.py [--calls 5000] [--workers N] [--concurrency 64]

Not a timed test: it prints figures (with the core count) for docs/VERIFICATION.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from apigen.catalog import load_catalog
from apigen.execution import ExecutionService, SandboxPool
from apigen.execution.modules import load_module
from apigen.paths import catalog_dir
from apigen.records import Candidate, ToolCall
from apigen.verify.chain import StageContext
from apigen.verify.execution import ExecutionStage
from apigen.verify.format import FormatChecker

# A trivial function of the built-in catalog: is_prime(n) on small n costs microseconds.
MODULE = catalog_dir() / "mathematics.py"
FUNCTION = "is_prime"


def candidates(n: int) -> list[Candidate]:
    return [Candidate(f"c{i}", "s", i, "simple", (FUNCTION,), f"Is {i % 500 + 2} prime?", (ToolCall(FUNCTION, {"n": i % 500 + 2}),))
            for i in range(n)]


async def pipeline_throughput(catalog, cands, workers: int, concurrency: int) -> tuple[float, float, int]:
    """Format + execution verdicts per second, the way the pipeline runs them (many in flight)."""
    fmt = FormatChecker(catalog)
    pool = SandboxPool(workers=workers, timeout_s=10)
    await pool.warm()
    execution = ExecutionStage(catalog, ExecutionService(pool))
    queue = iter(cands)
    passed = 0

    async def lane() -> None:
        nonlocal passed
        for c in queue:
            if fmt.verdict(c).passed and (await execution.check(c, StageContext())).passed:
                passed += 1

    try:
        await asyncio.gather(*(lane() for _ in range(concurrency)))  # warm-up: imports the module in every worker
        queue = iter(cands)
        passed = 0
        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    return len(cands) / elapsed, elapsed, passed


async def sequential_latency(catalog, n: int) -> list[float]:
    """One call at a time on one warm worker: the sandbox's round trip per call."""
    pool = SandboxPool(workers=1, timeout_s=10)
    spec = catalog.get(FUNCTION)
    try:
        await pool.execute(spec.executor, {"n": 2})
        times = []
        for i in range(n):
            started = time.perf_counter()
            result = await pool.execute(spec.executor, {"n": i % 500 + 2})
            times.append(time.perf_counter() - started)
            assert result.ok
        return times
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    catalog = load_catalog([str(MODULE)]).select(apis=[FUNCTION])
    cands = candidates(args.calls)

    fmt = FormatChecker(catalog)
    started = time.perf_counter()
    assert all(fmt.verdict(c).passed for c in cands)
    format_rate = len(cands) / (time.perf_counter() - started)

    rate, elapsed, passed = asyncio.run(pipeline_throughput(catalog, cands, args.workers, args.concurrency))
    latencies = asyncio.run(sequential_latency(catalog, min(args.calls, 2000)))

    function = getattr(load_module(MODULE), FUNCTION)
    started = time.perf_counter()
    for i in range(args.calls):
        function(n=i % 500 + 2)
    in_process = (time.perf_counter() - started) / args.calls

    median = statistics.median(latencies)
    print(f"cores (os.cpu_count()): {os.cpu_count()}")
    print(f"format check alone:            {format_rate:9.0f} candidates/s")
    print(f"format + execution, warm pool: {rate:9.0f} calls/s  ({passed}/{args.calls} passed in {elapsed:.2f} s;"
          f" {args.workers} workers, {args.concurrency} in flight)")
    print(f"sandbox round trip, 1 worker:  median {median * 1e6:7.0f} us, p95 {sorted(latencies)[int(len(latencies) * 0.95)] * 1e6:7.0f} us")
    print(f"in-process call:               {in_process * 1e6:7.2f} us -> sandbox overhead ~{(median - in_process) * 1e6:.0f} us per call")


if __name__ == "__main__":
    main()
