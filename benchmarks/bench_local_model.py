"""Embedded model throughput, as the pipeline calls it, against llama-cpp-python called directly.

    .venv/bin/python benchmarks/bench_local_model.py [--prompts 4] [--samples 6] [overrides ...]

1. Completion tokens per second through the pipeline's path (LLMClient -> litellm -> the local
   custom provider -> llama.cpp) and through ``Llama.create_chat_completion`` on the same loaded
   model, with the same prompts (real generator prompts from the sampler), the same settings,
   schema and seed, calls interleaved so both see the same machine state. Both run on the
   model's own thread (as the provider does: one OpenMP team), and the model's prompt cache is
   reset before every call so neither path reuses the other's evaluated prompt. Prints both and
   their ratio (goal: >= 0.9).
2. Verified examples per minute of the default run (``python -m apigen`` with num_samples=--samples
   into a temporary directory), and of the same samples verified by a reference chain
   (``--reference-stages``, default the chain before the round-trip stage: format, dedup,
   execution, semantic), in the same process: generation is the same (same seed, same prompts),
   so the ratio is what the chain costs or saves. ``--skip-tokens`` leaves out part 1.

Extra arguments are Hydra overrides, e.g. ``llm=local_small``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hydra import compose, initialize_config_dir  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from apigen.build import build  # noqa: E402
from apigen.config import register_schemas  # noqa: E402
from apigen.llm.local import provider  # noqa: E402
from apigen.runner import run  # noqa: E402


def compose_cfg(overrides: list[str]):
    register_schemas()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3", job_name="bench"):
        return OmegaConf.to_object(compose(config_name="config", overrides=overrides))


def token_rates(overrides: list[str], n_prompts: int) -> None:
    cfg = compose_cfg([*overrides, "output.progress=false", "+llm.extra.seed=0"])
    components = build(cfg)
    name = cfg.llm.model.split("/", 1)[1]
    llama = provider().models[name].llama
    requests = [components.generator.request(i) for i in range(n_prompts)]
    jobs = [(components.generator.prompt(r).messages, components.generator.schema(r)) for r in requests]
    settings = {"temperature": cfg.llm.temperature, "max_tokens": cfg.llm.max_tokens, "seed": 0}

    def call_llama(messages, schema):
        return llama.create_chat_completion(messages=[dict(m) for m in messages],
                                            response_format={"type": "json_object", "schema": schema}, **settings)

    def direct(messages, schema):
        llama.reset()
        started = time.perf_counter()
        out = provider().run_on_model_thread(name, call_llama, messages, schema)
        return out["usage"]["completion_tokens"], time.perf_counter() - started

    loop = asyncio.new_event_loop()  # one loop for every call, as in a pipeline run

    def pipeline(messages, schema):
        llama.reset()
        started = time.perf_counter()
        completion = loop.run_until_complete(components.generator.complete("bench", messages, schema=schema))
        if completion.error:
            raise RuntimeError(completion.error)
        return completion.usage.completion_tokens, time.perf_counter() - started

    direct(*jobs[0])  # warm-up, not counted
    totals = {"direct": [0, 0.0], "pipeline": [0, 0.0]}
    for i, job in enumerate(jobs):
        order = (("direct", direct), ("pipeline", pipeline)) if i % 2 == 0 else (("pipeline", pipeline), ("direct", direct))
        for label, fn in order:
            tokens, seconds = fn(*job)
            totals[label][0] += tokens
            totals[label][1] += seconds
            print(f"  prompt {i} {label:<8} {tokens:>5} tokens {seconds:7.2f} s", flush=True)
    pending = asyncio.all_tasks(loop)  # litellm's background logging task
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    rate = {k: v[0] / v[1] for k, v in totals.items()}
    print(f"\nmodel {cfg.llm.model}, {n_prompts} prompts, {os.cpu_count()} cores")
    print(f"llama-cpp-python direct : {rate['direct']:7.2f} completion tokens/s")
    print(f"pipeline (litellm path) : {rate['pipeline']:7.2f} completion tokens/s")
    print(f"ratio pipeline/direct   : {rate['pipeline'] / rate['direct']:7.3f}  (goal >= 0.9)")


def examples_per_minute(overrides: list[str], samples: int, label: str = "default run") -> float:
    cfg = compose_cfg([*overrides, f"num_samples={samples}", "output.progress=false"])
    with tempfile.TemporaryDirectory() as run_dir:
        started = time.perf_counter()
        manifest = run(cfg, run_dir)
        minutes = (time.perf_counter() - started) / 60
    kept = manifest["counts"]["kept"]
    print(f"\n{label}: {samples} samples, {manifest['counts']['generated']} candidates, {kept} kept in {minutes:.2f} min"
          f" on {os.cpu_count()} cores")
    print(f"verified examples per minute: {kept / minutes:.2f}")
    return kept / minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=4)
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--reference-stages", default="format,dedup,execution,semantic",
                        help="the chain to compare the default with ('' for none)")
    parser.add_argument("--skip-tokens", action="store_true", help="leave out the token-rate comparison")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    if not args.skip_tokens:
        token_rates(args.overrides, args.prompts)
    rate = examples_per_minute(args.overrides, args.samples)
    if args.reference_stages:
        reference = examples_per_minute([*args.overrides, f"verifier.stages=[{args.reference_stages}]"], args.samples,
                                        f"reference chain [{args.reference_stages}]")
        print(f"\nverified examples per minute, default / reference: {rate / reference:.2f}" if reference else "")


if __name__ == "__main__":
    main()
