"""One run, start to end: build, resume check, preflight, pipeline with progress, export, manifest,
report. The status it ends with (completed, incomplete, failed) decides the exit code
(apigen/exit_codes.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from apigen.build import Components, build
from apigen.config import Config, LLMConfig
from apigen.llm.client import LLMClient
from apigen.llm.roles import active_judges, active_solver, generator_config
from apigen.manifest import build_manifest, shard_of
from apigen.pipeline import Pipeline, RunProgress, shard_indexes
from apigen.redact import redact_overrides
from apigen.report import render_reasons, render_report, render_table
from apigen.store import RunStore
from apigen.surrogates import escape_surrogates


class ResumeMismatch(RuntimeError):
    """The run directory holds a run of a different configuration."""


def _check_resume(components: Components, store: RunStore) -> None:
    previous = store.read_manifest()
    if previous is None:
        return
    before, now = previous.get("digests", {}).get("run"), components.digests["run"]
    if before != now:
        raise ResumeMismatch(
            f"{store.run_dir} holds a run of a different configuration (run digest {before}, now {now}). "
            "Resume only with the same generation and verification settings (speed settings such as workers, "
            "concurrency, timeouts or api_base may change); start a new run directory otherwise."
        )
    shard = components.cfg.shard
    held = shard_of(previous)
    if held != (shard.index, shard.count):
        raise ResumeMismatch(
            f"{store.run_dir} holds shard {held[0]} of {held[1]}, not shard {shard.index} of {shard.count}: "
            "resume a shard only into its own directory."
        )


def _remote_roles(cfg: Config) -> list[tuple[str, LLMConfig]]:
    """(role, settings) of every remote model the run calls, one per endpoint and key."""
    solver = active_solver(cfg)
    roles = [("generator", generator_config(cfg)), *(("judge", c) for c, _ in active_judges(cfg)),
             *([("solver", solver)] if solver else [])]
    seen: set[tuple[str, str | None, str | None]] = set()
    unique = []
    for role, settings in roles:
        key = (settings.model, settings.api_base, settings.api_key)
        if not settings.model.startswith("local/") and key not in seen:
            seen.add(key)
            unique.append((role, settings))
    return unique


async def preflight(cfg: Config) -> None:
    """One small call to each remote model before the run (``llm.preflight``): a dead endpoint,
    a missing key or a refused setting raise LLMFatalError naming the model and its URL."""
    for role, settings in _remote_roles(cfg):
        if settings.preflight:
            await LLMClient(settings, role).preflight()


def run(cfg: Config, run_dir: str | Path, overrides: list[str] | None = None, components: Components | None = None) -> dict[str, Any]:
    """Run the pipeline into ``run_dir`` (resuming what is there) and return the manifest."""
    started, started_at = time.perf_counter(), dt.datetime.now().isoformat(timespec="seconds")
    overrides = redact_overrides(list(overrides or []))
    components = components or build(cfg)
    store = RunStore(run_dir)
    _check_resume(components, store)
    state = store.load(on_kept=components.chain.restore)
    pipeline = Pipeline(components.generator, components.chain, store, cfg.concurrency)
    owned = len(shard_indexes(cfg.num_samples, cfg.shard))  # all of num_samples unless sharded
    indexes = pipeline.pending_indexes(cfg.num_samples, cfg.shard)
    checks = pipeline.pending_checks(cfg.num_samples, cfg.shard)
    done_before = owned - len(indexes)
    if done_before:
        print(f"Resuming in {store.run_dir}: {done_before} of {owned} samples already finished.", file=sys.stderr)
    if checks:
        print(f"Verifying again {len(checks)} candidate(s) whose model calls failed in an earlier run.", file=sys.stderr)
    if indexes or checks:
        asyncio.run(preflight(cfg))

    def manifest(status: str) -> dict[str, Any]:
        progress = pipeline.progress
        return build_manifest(components, state, status=status, started_at=started_at,
                              wall_s=time.perf_counter() - started, overrides=overrides,
                              generation_errors=progress.generation_errors,
                              busy_s={"generate": progress.generate_busy_s, **components.chain.busy_s})

    store.write_manifest(manifest("running"))
    bar = tqdm(total=owned, initial=done_before, unit="sample", desc="apigen",
               disable=not cfg.output.progress, file=sys.stderr, dynamic_ncols=True)

    def on_progress(p: RunProgress) -> None:  # called once per processed sample
        bar.update(1)
        bar.set_postfix(kept=p.kept, rejected=p.rejected, errors=p.generation_errors, refresh=False)

    pipeline.on_progress = on_progress
    status = "failed"
    try:
        asyncio.run(pipeline.run(indexes, checks))
        unfinished = pipeline.pending_indexes(cfg.num_samples, cfg.shard) or pipeline.pending_checks(cfg.num_samples, cfg.shard)
        status = "incomplete" if unfinished else "completed"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        bar.close()
        final = manifest(status)
        store.export_dataset(cfg.output.formats)
        store.write_manifest(final)
        store.write_text("report.md", render_report(final))
        store.close()
    _print_summary(final, store.run_dir, pipeline.progress)
    return final


def _print_summary(manifest: dict[str, Any], run_dir: Path, progress: RunProgress) -> None:
    print()
    print(render_table(manifest))
    print("\nRejection reasons:")
    print(render_reasons(manifest))
    if progress.refused:
        print(f"\n{progress.refused} generation request(s) were refused by the provider (errors.jsonl); "
              "those samples are finished without candidates.")
    if progress.generation_errors:
        print(f"\n{progress.generation_errors} generation call(s) failed after retries "
              f"(last: {escape_surrogates(progress.last_generation_error)}); rerun with hydra.run.dir={run_dir} to retry them.")
    if progress.verify_errors:
        print(f"\n{progress.verify_errors} candidate(s) could not be verified because model calls failed after "
              f"retries; rerun with hydra.run.dir={run_dir} to verify them again.")
    print(f"\nKept {manifest['counts']['kept']} example(s) -> {run_dir / 'dataset'}")
