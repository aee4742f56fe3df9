"""``python -m apigen.reverify RUN_DIR [key=value ...] [--out DIR]`` (or ``apigen reverify``):
recompute every verdict of a run with the current stage chain, from its stored candidates.

The config is the run's own (its ``.hydra/overrides.yaml`` over today's conf/), with the
overrides given here replacing those of the same key. The generation settings must be the run's
(same generation digest): only what decides verdicts may change (stages, their settings, the
judges, the solver). Nothing is generated; judge and solver calls go to their models, or to the
response cache when ``llm.cache`` is on and they were asked before.

The run directory is never written: the new verdicts, dataset, manifest and report go to a new
run directory, ``RUN_DIR/reverified/<date_time>/`` by default, with a copy of candidates.jsonl,
so that it is itself a complete run directory (resumable, and reverifiable again).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from apigen.config import Config, ConfigError, register_schemas
from apigen.exit_codes import ERROR, for_statuses
from apigen.paths import config_dir
from apigen.redact import REDACTED, redact_overrides, redact_tree
from apigen.store import CANDIDATES, ERRORS, MANIFEST, RunStore

_USER_ERRORS = ("ConfigError", "CatalogError", "PromptError", "SamplerError", "LLMFatalError", "LocalModelError",
                "SpecError", "StageError", "RunFileError", "ReverifyError")
REVERIFIED = "reverified"


class ReverifyError(RuntimeError):
    """The run directory cannot be reverified as asked; the message says why."""


def _key(override: str) -> str:
    return override.partition("=")[0].lstrip("+~")


def merged_overrides(before: list[str], given: list[str]) -> list[str]:
    """The run's overrides with those given replacing any of the same key, in order."""
    replaced = {_key(o) for o in given}
    return [o for o in before if _key(o) not in replaced and not _key(o).startswith("hydra")] + list(given)


def _read_overrides(run_dir: Path) -> list[str]:
    path = run_dir / ".hydra" / "overrides.yaml"
    if not path.is_file():
        raise ReverifyError(f"{path} is missing: reverify needs the run's .hydra/ folder to know its config")
    overrides = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise ReverifyError(f"{path} is not a list of overrides")
    return overrides


def compose_run_config(run_dir: Path, given: list[str]) -> tuple[Config, Any, list[str]]:
    """(typed config, composed DictConfig, overrides) of the run with ``given`` applied."""
    overrides = merged_overrides(_read_overrides(run_dir), given)
    redacted = [o for o in overrides if o.partition("=")[2] == REDACTED]
    if redacted:
        keys = ", ".join(_key(o) for o in redacted)
        raise ConfigError(f"{keys}: the run's secret was redacted in {run_dir}/.hydra/overrides.yaml; give it again "
                          f"(for example {_key(redacted[0])}=...) or name it by environment variable (llm.deployments[].api_key_env)")
    register_schemas()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3", job_name="apigen"):
            dcfg = compose(config_name="config", overrides=overrides)
        cfg = OmegaConf.to_object(dcfg)
    except OmegaConfBaseException as exc:
        raise ConfigError(str(exc)) from None
    except Exception as exc:  # Hydra's override and composition errors
        if type(exc).__module__.startswith("hydra"):
            raise ConfigError(str(exc)) from None
        raise
    finally:
        GlobalHydra.instance().clear()
    return cfg, dcfg, overrides  # type: ignore[return-value]


def _sample_records(path: Path) -> Iterator[Any]:
    """Every complete line of candidates.jsonl, one SampleRecord at a time."""
    from apigen.records import SampleRecord

    with path.open("rb") as handle:
        for line in handle:
            if line.endswith(b"\n") and line.strip():
                yield SampleRecord.from_json(line)


async def _preflight_verifiers(cfg: Config) -> None:
    """The preflight of the judges and the solver the chain calls (never the generator)."""
    from apigen.llm.client import LLMClient
    from apigen.llm.roles import active_judges, active_solver, is_local

    solver = active_solver(cfg)
    roles = [*(("judge", c) for c, _ in active_judges(cfg)), *([("solver", solver)] if solver else [])]
    seen: set[tuple[str, str | None]] = set()
    for role, settings in roles:
        if is_local(settings.model) or not settings.preflight or (settings.model, settings.api_base) in seen:
            continue
        seen.add((settings.model, settings.api_base))
        await LLMClient(settings, role).preflight()


async def _verify_all(components: Any, store: RunStore, concurrency: int, progress: Any) -> None:
    """Every candidate of the latest attempt of each sample, through the chain."""
    open_samples = store.state.open

    def jobs() -> Iterator[tuple[Any, Any]]:
        for record in _sample_records(store.run_dir / CANDIDATES):
            sample = open_samples.get(record.request.sample_id)
            if sample is None or sample.attempt != record.attempt:
                continue  # an earlier attempt, redone since
            for candidate in record.candidates:
                yield record, candidate

    queue = jobs()

    async def worker() -> None:
        for record, candidate in queue:  # a shared iterator: each candidate is taken by one worker
            store.append_outcome(await components.chain.verify(candidate, record.request.index, record.attempt))
            progress.update(1)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await components.chain.close()


def reverify(run_dir: str | Path, given: list[str] | None = None, out: str | Path | None = None) -> tuple[dict[str, Any], Path]:
    """Verify the run's candidates again into a new run directory; returns (manifest, its path)."""
    from tqdm import tqdm

    from apigen.build import build
    from apigen.manifest import build_manifest
    from apigen.report import render_report

    source = Path(run_dir)
    if not (source / MANIFEST).is_file() or not (source / CANDIDATES).is_file():
        raise ReverifyError(f"{source} is not a run directory (no {MANIFEST} and {CANDIDATES})")
    manifest_before = RunStore(source).read_manifest()
    if manifest_before is None:
        raise ReverifyError(f"{source} is not a run directory (no {MANIFEST} and {CANDIDATES})")
    cfg, dcfg, overrides = compose_run_config(source, list(given or []))
    started, started_at = time.perf_counter(), dt.datetime.now().isoformat(timespec="seconds")
    components = build(cfg)
    before = manifest_before.get("digests", {}).get("generation")
    if before != components.digests["generation"]:
        raise ReverifyError(
            f"the generation settings differ from those of {source} (generation digest {before}, now "
            f"{components.digests['generation']}): reverify checks the stored candidates again, so only the verifier, "
            "judge and solver settings may change")
    target = Path(out) if out else source / REVERIFIED / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    if target.exists() and any(target.iterdir()):
        raise ReverifyError(f"{target} exists and is not empty; reverify writes only new directories")
    if manifest_before.get("status") == "running":
        print(f"apigen.reverify: note: {source} says it is still running (or was killed): only the candidates "
              "written so far are verified", file=sys.stderr)
    (target / ".hydra").mkdir(parents=True, exist_ok=True)
    (target / ".hydra" / "config.yaml").write_text(
        yaml.safe_dump(redact_tree(OmegaConf.to_container(dcfg)), sort_keys=False, allow_unicode=True), encoding="utf-8")
    (target / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(redact_overrides(overrides)), encoding="utf-8")
    shutil.copyfile(source / CANDIDATES, target / CANDIDATES)
    if (source / ERRORS).is_file():
        shutil.copyfile(source / ERRORS, target / ERRORS)

    store = RunStore(target)
    state = store.load(on_kept=components.chain.restore)
    asyncio.run(_preflight_verifiers(cfg))
    total = sum(s.expected for s in state.open.values())
    bar = tqdm(total=total, unit="candidate", desc="reverify", disable=not cfg.output.progress, file=sys.stderr)
    status = "failed"
    try:
        asyncio.run(_verify_all(components, store, cfg.concurrency, bar))
        sampler = components.generator.sampler
        unfinished = any(sampler.sample_id(i) not in state.finished for i in range(cfg.num_samples))
        status = "incomplete" if unfinished or state.pending_checks else "completed"
    finally:
        bar.close()
        manifest = build_manifest(components, state, status=status, started_at=started_at,
                                  wall_s=time.perf_counter() - started, overrides=redact_overrides(overrides),
                                  generation_errors=0, busy_s=dict(components.chain.busy_s))
        manifest["reverified_from"] = str(source)
        store.export_dataset(cfg.output.formats)
        store.write_manifest(manifest)
        store.write_text("report.md", render_report(manifest))
        store.close()
    return manifest, target


def main(argv: list[str] | None = None, prog: str = "python -m apigen.reverify") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Recompute every verdict of a run with the current stage chain, "
                                     "from its stored candidates, into a new run directory.")
    parser.add_argument("run_dir", help="the run directory (outputs/<name>/<date_time>)")
    parser.add_argument("overrides", nargs="*", help="config overrides (key=value), as for python -m apigen")
    parser.add_argument("--out", help=f"the new run directory (default: RUN_DIR/{REVERIFIED}/<date_time>)")
    args = parser.parse_args(argv)
    try:
        manifest, target = reverify(args.run_dir, args.overrides, args.out)
    except Exception as exc:
        if type(exc).__name__ in _USER_ERRORS:
            print(f"apigen.reverify: error: {exc}", file=sys.stderr)
            return ERROR
        raise
    from apigen.report import render_reasons, render_table

    print(render_table(manifest))
    print("\nRejection reasons:")
    print(render_reasons(manifest))
    print(f"\nKept {manifest['counts']['kept']} example(s) -> {target / 'dataset'}")
    return for_statuses([manifest["status"]])


if __name__ == "__main__":
    sys.exit(main())
