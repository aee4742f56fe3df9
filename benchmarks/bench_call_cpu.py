"""CPU per model call through litellm, by provider prefix, with and without the unpriced model
registered (apigen.llm.client.register_unpriced); and the CPU of writing one record
(Record.to_dict against dataclasses.asdict).

    python benchmarks/bench_call_cpu.py                 # 3 interleaved rounds of 3,000 calls each
    python benchmarks/bench_call_cpu.py --calls 1000 --rounds 1

Each variant runs in a fresh process (a registered model stays registered), against
benchmarks/fast_fake_server.py in its own process, 64 calls in flight; the figure is that
process's CPU seconds over the timed calls, after 50 warm-up calls. The variants are interleaved
round by round and averaged, because the machine's noise is larger than some differences.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_throughput import ROOT, start_server  # noqa: E402

VARIANTS = (("openai", False), ("openai", True), ("hosted_vllm", False), ("hosted_vllm", True))

CALLS = """
import asyncio, resource, sys
import litellm
from apigen.llm.client import register_unpriced
base, model, register, calls = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
if register:
    assert register_unpriced([model])
messages = [{"role": "system", "content": "you write data"}, {"role": "user", "content": "hello " * 50}]
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
async def main():
    limit = asyncio.Semaphore(64)
    async def one():
        async with limit:
            await litellm.acompletion(model=model, messages=messages, api_base=base, api_key="x",
                                      temperature=0.7, max_tokens=100, num_retries=0)
    await asyncio.gather(*(one() for _ in range(50)))
    start = cpu()
    await asyncio.gather(*(one() for _ in range(calls)))
    print(1000 * (cpu() - start) / calls)
asyncio.run(main())
"""


def call_cpu_ms(base: str, provider: str, register: bool, calls: int) -> float:
    done = subprocess.run([sys.executable, "-c", CALLS, f"{base}/v1", f"{provider}/bench-unpriced-model",
                           "1" if register else "0", str(calls)], cwd=str(ROOT), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the call benchmark failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def record_ms() -> tuple[float, float]:
    """(asdict, to_dict) milliseconds per outcome of a realistic shape."""
    sys.path.insert(0, str(ROOT))
    from apigen.records import Example, Outcome, ToolCall, Usage, Verdict

    calls = (ToolCall("divide", {"a": 10, "b": 4}), ToolCall("round_number", {"value": 2.5, "digits": 1}))
    tools = tuple({"name": c.name, "description": "d", "parameters": {"type": "object", "properties": {}}} for c in calls)
    outcome = Outcome("s-0", "s", 0, 0, 0, True, "kept", "ok", "",
                      tuple(Verdict("s-0", stage, True) for stage in ("format", "dedup", "grounding")), (),
                      {"roundtrip": Usage(2, 300, 40, None)}, Example("s-0", "s", "Divide 10 by 4.", tools, calls))
    assert outcome.to_dict() == dataclasses.asdict(outcome)
    timings = []
    for convert in (dataclasses.asdict, Outcome.to_dict):
        start = time.perf_counter()
        for _ in range(5000):
            convert(outcome)
        timings.append(1000 * (time.perf_counter() - start) / 5000)
    return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}  calls: {args.calls} x {args.rounds} rounds, 64 in flight")
    server, base = start_server(0.2)
    figures: dict[tuple[str, bool], list[float]] = {v: [] for v in VARIANTS}
    try:
        for _ in range(args.rounds):
            for provider, register in VARIANTS:
                figures[(provider, register)].append(call_cpu_ms(base, provider, register, args.calls))
    finally:
        server.terminate()
        server.wait()
    print(f"{'provider prefix':<16} {'unpriced model':<15} {'CPU ms / call (mean)':>20}  rounds")
    for (provider, register), values in figures.items():
        print(f"{provider + '/':<16} {'registered' if register else 'looked up':<15} {statistics.mean(values):>20.2f}  "
              + " ".join(f"{v:.2f}" for v in values))
    asdict_ms, to_dict_ms = record_ms()
    print(f"one outcome as a dict: dataclasses.asdict {asdict_ms:.3f} ms, Record.to_dict {to_dict_ms:.3f} ms "
          f"({asdict_ms / to_dict_ms:.1f}x)")
    print(f"load average after: {os.getloadavg()[0]:.1f} (other jobs on these cores raise the figures)")


if __name__ == "__main__":
    main()
