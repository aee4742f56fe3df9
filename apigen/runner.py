"""One run, start to end: build, resume check, pipeline with progress, export, manifest, report."""

from __future__ import annotations

import asyncio
import datetime as dt
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from tqdm import tqdm

from apigen import __version__
from apigen.build import Components, build, judge_configs
from apigen.config import Config
from apigen.pipeline import Pipeline, RunProgress
from apigen.report import render_reasons, render_report, render_table, stage_statistics
from apigen.store import RunStore

_VERSIONED = ("litellm", "hydra-core", "omegaconf", "jinja2", "jsonschema", "datasets", "llama_cpp_python")


class ResumeMismatch(RuntimeError):
    """The run directory holds a run of a different configuration."""


def _versions() -> dict[str, str]:
    found = {"apigen": __version__, "python": platform.python_version()}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _usage(store: RunStore) -> dict[str, Any]:
    totals: dict[str, Any] = {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": None, "calls": 0}
    by_role: dict[str, dict[str, Any]] = {}
    for line in store.state.usage_lines:
        role = by_role.setdefault(line["role"], {"prompt_tokens": 0, "completion_tokens": 0})
        for key in ("prompt_tokens", "completion_tokens"):
            role[key] += int(line.get(key) or 0)
            totals[key] += int(line.get(key) or 0)
        if line.get("cost_usd") is not None:
            totals["cost_usd"] = (totals["cost_usd"] or 0.0) + float(line["cost_usd"])
        totals["calls"] += 1
    totals["by_role"] = by_role
    return totals


def _manifest(components: Components, store: RunStore, status: str, started: float, started_at: str,
              overrides: list[str], progress: RunProgress | None) -> dict[str, Any]:
    cfg = components.cfg
    stats = stage_statistics(store.state.final_outcomes(), {
        "format": cfg.verifier.format.enabled, "execution": cfg.verifier.execution.enabled,
        "semantic": cfg.verifier.semantic.enabled,
    })
    return {
        "name": cfg.name,
        "status": status,
        "run_dir": str(store.run_dir.resolve()),
        "started_at": started_at,
        "updated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "overrides": overrides,
        "versions": _versions(),
        "config_digest": components.digests["config"],
        "digests": components.digests,
        "seed": cfg.seed,
        "catalog": {"apis": len(components.catalog), "categories": components.catalog.categories},
        "models": {"generator": cfg.llm.model,
                   "judge": ", ".join(c.model for c, _ in judge_configs(cfg)) if cfg.verifier.semantic.enabled else None},
        "samples": {
            "requested": cfg.num_samples,
            "finished": len(store.state.finished_samples()),
            "generation_errors": progress.generation_errors if progress else 0,
        },
        **stats,
        "usage": _usage(store),
        "timings": {
            "wall_s": round(time.perf_counter() - started, 3),
            # summed over concurrent samples, so together they can exceed wall_s
            "stage_busy_s": {k: round(v, 3) for k, v in (progress.stage_seconds if progress else {}).items()},
        },
    }


def _check_resume(components: Components, store: RunStore) -> None:
    previous = store.read_manifest()
    if previous and previous.get("config_digest") != components.digests["config"]:
        raise ResumeMismatch(
            f"{store.run_dir} holds a run of a different configuration (digest {previous.get('config_digest')},"
            f" now {components.digests['config']}). Resume only with the same config; start a new run directory otherwise."
        )


def run(cfg: Config, run_dir: str | Path, overrides: list[str] | None = None, components: Components | None = None) -> dict[str, Any]:
    """Run the pipeline into ``run_dir`` (resuming what is there) and return the manifest."""
    started, started_at = time.perf_counter(), dt.datetime.now().isoformat(timespec="seconds")
    overrides = list(overrides or [])
    components = components or build(cfg)
    store = RunStore(run_dir)
    _check_resume(components, store)
    pipeline = Pipeline(components, store)
    indexes = pipeline.pending_indexes(cfg.num_samples)
    done_before = cfg.num_samples - len(indexes)
    if done_before:
        print(f"Resuming in {store.run_dir}: {done_before} of {cfg.num_samples} samples already finished.", file=sys.stderr)
    store.write_manifest(_manifest(components, store, "running", started, started_at, overrides, None))

    bar = tqdm(total=cfg.num_samples, initial=done_before, unit="sample", desc="apigen",
               disable=not cfg.output.progress, file=sys.stderr, dynamic_ncols=True)

    def on_progress(p: RunProgress) -> None:  # called once per processed sample
        bar.update(1)
        bar.set_postfix(kept=p.kept, rejected=p.rejected, errors=p.generation_errors, refresh=False)

    pipeline.on_progress = on_progress
    status = "failed"
    try:
        progress = asyncio.run(pipeline.run(indexes))
        status = "completed" if progress.generation_errors == 0 else "incomplete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        bar.close()
        manifest = _manifest(components, store, status, started, started_at, overrides, pipeline.progress)
        store.export_dataset(cfg.output.formats)
        store.write_manifest(manifest)
        store.write_text("report.md", render_report(manifest))
        store.close()
    _print_summary(manifest, store.run_dir, pipeline.progress)
    return manifest


def _print_summary(manifest: dict[str, Any], run_dir: Path, progress: RunProgress) -> None:
    print()
    print(render_table(manifest))
    print("\nRejection reasons:")
    print(render_reasons(manifest))
    if progress.generation_errors:
        print(f"\n{progress.generation_errors} generation call(s) failed after retries "
              f"(last: {progress.last_generation_error}); rerun with hydra.run.dir={run_dir} to retry them.")
    print(f"\nKept {manifest['counts']['kept']} example(s) -> {run_dir / 'dataset'}")
