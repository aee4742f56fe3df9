"""Resume of a finished run: how long ``apigen.runner.run`` takes to find there is nothing to do.
Goal (issue 11): under 1 s for a finished 20,000-sample run.

    .venv/bin/python benchmarks/bench_resume.py [--samples 20000]

The finished run is built synthetically (fast): the stage files hold one sample record and one
kept outcome per index, with the sample ids, requests and tools the real samplers give, then one
run() finishes it (dataset export, manifest, report). The timed part is a second run() into the
same directory through the real runner path, with the same config (no model is called: nothing
is left to do). Not a timed test: it prints figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from apigen.build import Components, build  # noqa: E402
from apigen.records import (  # noqa: E402
    Candidate,
    Completion,
    Example,
    Outcome,
    Prompt,
    SampleRecord,
    ToolCall,
    Usage,
    Verdict,
)
from apigen.runner import run  # noqa: E402
from apigen.store import CANDIDATES, VERDICTS  # noqa: E402

from conftest import compose_config, fake_llm_overrides  # noqa: E402


def write_finished_run(components: Components, run_dir: Path, samples: int) -> None:
    """One sample record and one kept outcome per index, as a finished run leaves them."""
    sampler, catalog = components.generator.sampler, components.catalog
    with (run_dir / CANDIDATES).open("w", encoding="utf-8") as candidates, (run_dir / VERDICTS).open("w", encoding="utf-8") as verdicts:
        for index in range(samples):
            request = sampler.request(index)
            sid, cid = request.sample_id, f"{request.sample_id}-0"
            query = f"Synthetic query number {index}?"
            calls = (ToolCall(request.api_names[0], {"value": index}),)
            candidate = Candidate(cid, sid, 0, request.style, request.api_names, query, calls)
            messages = ({"role": "system", "content": "You write training data."}, {"role": "user", "content": f"Prompt {index}"})
            completion = Completion(sid, '{"pairs": []}', "openai/fake-model", "stop", Usage(1, 400, 60), 0.2)
            candidates.write(SampleRecord(request, Prompt(sid, request.template, messages), completion, (candidate,)).to_json() + "\n")
            example = Example(cid, sid, query, tuple(catalog.tools(request.api_names)), calls, request.style)
            stages = components.chain.names
            outcome = Outcome(cid, sid, index, 0, 0, True, "kept", "ok", verdicts=tuple(Verdict(cid, s, True) for s in stages),
                              usage={"roundtrip": Usage(2, 300, 40)}, example=example)
            verdicts.write(outcome.to_json() + "\n")


def timed_run(cfg, run_dir: Path) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        manifest = run(cfg, run_dir)
    assert manifest["status"] == "completed", manifest["status"]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20000)
    args = parser.parse_args()
    cfg = compose_config([*fake_llm_overrides("http://127.0.0.1:9/v1"), f"num_samples={args.samples}"])
    print(f"cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        run_dir.mkdir()
        write_finished_run(build(cfg), run_dir, args.samples)
        first = timed_run(cfg, run_dir)
        print(f"finishing run() (export, manifest, report) of {args.samples} samples: {first:.2f} s")
        cpu = time.process_time()
        again = timed_run(cfg, run_dir)
        print(f"resume of the finished run (nothing to do): {again:.2f} s wall, {time.process_time() - cpu:.2f} s cpu")


if __name__ == "__main__":
    main()
