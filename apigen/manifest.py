"""manifest.json: what a run is (versions, digests, models, stage chain) and what it has done
(counts per stage, reasons, usage, timings), computed from the run state's counters."""

from __future__ import annotations

import datetime as dt
import platform
from importlib import metadata
from typing import Any

from apigen import __version__
from apigen.build import Components
from apigen.llm.roles import active_judges
from apigen.pipeline import shard_indexes
from apigen.records import Usage
from apigen.report import overlap_statistics, stage_statistics
from apigen.store import RunState

_VERSIONED = ("litellm", "hydra-core", "omegaconf", "jinja2", "jsonschema", "datasets", "llama_cpp_python")


def shard_of(manifest: dict[str, Any]) -> tuple[int, int]:
    """(index, count) of the shard a run manifest describes; (0, 1) for an unsharded run or a
    manifest written before shards existed."""
    shard = manifest.get("shard") or {}
    return int(shard.get("index", 0)), int(shard.get("count", 1))


def versions() -> dict[str, str]:
    found = {"apigen": __version__, "python": platform.python_version()}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def usage_summary(by_role: dict[str, Usage]) -> dict[str, Any]:
    """Totals over every model call, and the same per role (generator, then stage names)."""
    total = sum(by_role.values(), Usage())
    return {**total.to_dict(), "by_role": {role: usage.to_dict() for role, usage in by_role.items()}}


def build_manifest(components: Components, state: RunState, *, status: str, started_at: str, wall_s: float,
                   overrides: list[str], generation_errors: int, busy_s: dict[str, float]) -> dict[str, Any]:
    cfg = components.cfg
    judges = active_judges(cfg)
    return {
        "name": cfg.name,
        "status": status,
        "started_at": started_at,
        "updated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "overrides": overrides,
        "versions": versions(),
        "digests": components.digests,
        "seed": cfg.seed,
        # sample index i belongs to shard i mod count; the shards of one run share its digests
        "shard": {"index": cfg.shard.index, "count": cfg.shard.count, "num_samples": cfg.num_samples},
        "catalog": {"apis": len(components.catalog), "categories": components.catalog.categories},
        "models": {"generator": cfg.llm.model, "judge": ", ".join(c.model for c, _ in judges) or None},
        "verifier": {"stages": components.chain.names},
        # which containment the execution sandbox had in effect (namespaces or their fallbacks)
        "sandbox": components.sandbox.describe(),
        # generation_errors: calls of this process that failed after retries (their samples are
        # unfinished); request_errors: requests the provider refused (finished, without candidates);
        # verify_errors: candidates whose stage could not decide (a rerun verifies them again).
        # requested: the samples this run owns (all of num_samples unless it is a shard)
        "samples": {"requested": len(shard_indexes(cfg.num_samples, cfg.shard)), "finished": len(state.finished),
                    "generation_errors": generation_errors,
                    "request_errors": state.request_errors, "verify_errors": len(state.pending_checks)},
        **stage_statistics(components.chain.names, state.generated, state.kept, state.rejected),
        "duplicates": overlap_statistics(state.rejected, state.overlaps),
        "usage": usage_summary(state.usage),
        "timings": {
            "wall_s": round(wall_s, 3),
            # summed over concurrent samples, so together they can exceed wall_s
            "busy_s": {k: round(v, 3) for k, v in busy_s.items()},
        },
    }
