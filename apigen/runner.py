"""One run, start to end: build, resume check, preflight, pipeline with progress, export, manifest,
report. The status it ends with (completed, incomplete, failed) decides the exit code
(apigen/exit_codes.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from apigen.build import Components, build
from apigen.config import Config, ConfigError, LLMConfig
from apigen.export.api_split import configured_split
from apigen.export.card import render_card
from apigen.llm.client import LLMClient, LLMFatalError
from apigen.llm.roles import active_judges, active_roles, active_solver, generator_config, is_local
from apigen.manifest import build_manifest, shard_of
from apigen.pipeline import Pipeline, RunProgress, shard_indexes
from apigen.progress import ProgressDisplay
from apigen.redact import redact_overrides
from apigen.report import render_reasons, render_report, render_table
from apigen.report_data import collect_figures
from apigen.report_html import render_html
from apigen.store import RunStore
from apigen.surrogates import escape_surrogates
from apigen.workers import WorkerError, freeze_startup_objects, run_in_workers, summed


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
    if cfg.workers > 1 and any(is_local(role.model) for role in active_roles(cfg)):
        raise ConfigError(f"workers={cfg.workers}: an embedded model (local/...) runs in one process; "
                          "use workers=1, or a remote model (an OpenAI-compatible server such as vLLM)")
    components = components or build(cfg)
    store = RunStore(run_dir)
    _check_resume(components, store)
    state = store.load(on_kept=components.chain.restore, defer_kept=True)
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
        store.replay_kept()  # the dedup stage re-learns the kept queries (spared when nothing is left to do)
        asyncio.run(preflight(cfg))

    def manifest(status: str) -> dict[str, Any]:
        progress = pipeline.progress
        return build_manifest(components, state, status=status, started_at=started_at,
                              wall_s=time.perf_counter() - started, overrides=overrides,
                              generation_errors=progress.generation_errors,
                              busy_s={"generate": progress.generate_busy_s, **components.chain.busy_s})

    store.write_manifest(manifest("running"))
    display = ProgressDisplay(total=owned, done_before=done_before, state=state, progress=pipeline.progress,
                              stages=list(cfg.verifier.stages), local_model=any(is_local(r.model) for r in active_roles(cfg)),
                              enabled=cfg.output.progress, interval_s=cfg.output.progress_interval_s)
    pipeline.on_progress = display.sample_done
    freeze_startup_objects()
    status = "failed"
    try:
        if cfg.workers > 1 and indexes:
            _run_in_workers(cfg, components, pipeline, store, indexes, checks, display)
        else:
            asyncio.run(display.around(pipeline.run(indexes, checks)))
        unfinished = (indexes or checks) and (pipeline.pending_indexes(cfg.num_samples, cfg.shard)
                                              or pipeline.pending_checks(cfg.num_samples, cfg.shard))
        status = "incomplete" if unfinished else "completed"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        display.close()
        final = manifest(status)
        categories = {spec.name: spec.category for spec in components.catalog.specs}
        split = configured_split(cfg.output)
        stale = not store.export_is_current(cfg.output.formats, split)  # a finished run resumed again has nothing new
        if stale:
            store.export_dataset(cfg.output.formats, split=split,
                                 card=lambda summary: render_card(final, cfg, summary, categories))
        store.write_manifest(final)
        store.close()
        if indexes or checks or stale or not all((store.run_dir / name).is_file() for name in REPORTS):
            # The reports stream the run files again: skipped when nothing changed since they were written.
            figures = collect_figures(store.run_dir, categories)
            store.write_text("report.md", render_report(final, figures))
            store.write_text("report.html", render_html(final, figures))
    _print_summary(final, store.run_dir, pipeline.progress)
    return final


REPORTS = ("report.md", "report.html")


def _run_in_workers(cfg: Config, components: Components, pipeline: Pipeline, store: RunStore, indexes: list[int],
                    checks: list[str], display: ProgressDisplay) -> None:
    """``workers`` processes share the new samples (apigen/workers.py); candidates to verify again
    are verified here first. The pipeline's progress and the chain's busy times then count all.
    The display is redrawn when a worker reports a sample (the workers' calls are not metered here)."""
    if checks:
        asyncio.run(pipeline.run([], checks))
    base = pipeline.progress

    def on_progress(progress: dict[int, dict[str, Any]]) -> None:
        display.show(summed({0: asdict(base), **{w + 1: p for w, p in progress.items()}}, RunProgress))

    def worker_error(name: str, message: str) -> BaseException:
        if name == "LLMFatalError":
            return LLMFatalError(message)
        return WorkerError(f"a worker process failed: {name}: {message}")

    progress, busy = run_in_workers(cfg, store, indexes, on_progress, worker_error)
    total = summed({0: asdict(base), **{w + 1: p for w, p in progress.items()}}, RunProgress)
    pipeline.progress = total
    for name, seconds in busy.items():
        components.chain.busy_s[name] = components.chain.busy_s.get(name, 0.0) + seconds


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
    if progress.blocked_round is not None:
        print(f"\nFeedback round {progress.blocked_round} was not started: an earlier round has unfinished samples "
              f"(its few-shot pool would be incomplete); rerun with hydra.run.dir={run_dir} to finish them and go on.")
    if progress.verify_errors:
        print(f"\n{progress.verify_errors} candidate(s) could not be verified because model calls failed after "
              f"retries; rerun with hydra.run.dir={run_dir} to verify them again.")
    print(f"\nKept {manifest['counts']['kept']} example(s) -> {run_dir / 'dataset'}")
