"""What a run's data depends on, as digests.

- The **generation digest** covers only what shapes generation: the seed, the catalog as the model sees it
  (names, descriptions, categories, parameters), the generator templates and what they include,
  the few-shot seed file, the sampler settings, and the generator model with its sampling
  settings. Sample ids are a hash of (seed, index, generation digest), so the same generation
  config gives the same prompts, in one process or in shards.
- The **run digest** adds what decides verdicts (the verifier and the judges); a run directory is
  resumed only under the same run digest.

Neither covers speed or infrastructure settings (workers, concurrency, timeouts, api_base,
api_key, threads, progress display, output formats, the number of samples, the run's name):
the schema in apigen/config.py marks those fields ``metadata={"digest": False}``, and that mark
is the one list of them. Paths whose contents are digested (catalog, prompts, seed file) carry
the mark too, so a moved file changes nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from apigen.catalog import Catalog
from apigen.config import Config, LLMConfig
from apigen.prompting import PromptRenderer
from apigen.records import DERIVED_STYLES, stable_hash
from apigen.sampling import derived_styles, enabled_styles


def digested_settings(value: Any) -> Any:
    """A config value as plain data, without the fields marked ``digest: False``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: digested_settings(getattr(value, f.name))
                for f in dataclasses.fields(value) if f.metadata.get("digest", True)}
    if isinstance(value, dict):
        return {k: digested_settings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [digested_settings(v) for v in value]
    return value


def catalog_digest(catalog: Catalog) -> str:
    """The catalog as generation sees it: executors and example calls are left out."""
    return stable_hash([[s.name, s.description, s.category, s.parameters] for s in catalog.specs])


def generator_templates(cfg: Config) -> list[str]:
    return [*cfg.prompt.generator, *(f"styles/{s}.j2" for s in enabled_styles(cfg.sampler))]


def generation_digest(cfg: Config, catalog: Catalog, renderer: PromptRenderer, examples_digest: str,
                      generator: LLMConfig) -> str:
    return stable_hash({
        "seed": cfg.seed,
        "catalog": catalog_digest(catalog),
        "templates": renderer.digest(generator_templates(cfg)),
        "template_names": list(cfg.prompt.generator),
        "examples": examples_digest,
        "sampler": _sampler_settings(cfg),
        "generator": digested_settings(generator),
    })


def _sampler_settings(cfg: Config) -> dict[str, Any]:
    """The sampler settings; derived styles and the feedback loop only while they are on, so that
    runs made before they existed (and runs with them off) keep their sample ids."""
    settings = digested_settings(cfg.sampler)
    settings["styles"] = {s: w for s, w in settings["styles"].items() if w or s not in DERIVED_STYLES}
    if not cfg.sampler.feedback.round_size:
        settings.pop("feedback", None)
    return settings


# Stages added after runs existed: their settings decide nothing unless the stage is in the chain,
# and leaving them out then keeps the run digests of older runs, so those still resume.
_OPTIONAL_STAGES = ("grounding", "roundtrip")


def _verifier_settings(cfg: Config) -> dict[str, Any]:
    settings = digested_settings(cfg.verifier)
    for stage in _OPTIONAL_STAGES:
        # the relevance stage (derived styles) asks the round-trip solver with roundtrip's k and min_agree
        if stage not in cfg.verifier.stages and not (stage == "roundtrip" and derived_styles(cfg.sampler)):
            settings.pop(stage, None)
    return settings


def run_digest(cfg: Config, generation: str, renderer: PromptRenderer) -> str:
    """The generation digest plus what decides verdicts: the verifier settings, the judges and the
    round-trip solver when their stages run, and their templates."""
    from apigen.llm.roles import active_judges, active_solver  # roles imports config, as this module does

    parts = {
        "generation": generation,
        "verifier": _verifier_settings(cfg),
        "judge_template": renderer.digest([cfg.prompt.judge]),
        "judges": [[digested_settings(c), votes] for c, votes in active_judges(cfg)],
    }
    if derived_styles(cfg.sampler):  # the relevance stage's settings and templates decide derived rows
        parts["derive"] = digested_settings(cfg.derive)
        parts["derive_templates"] = renderer.digest([cfg.prompt.relevance_solver, cfg.prompt.rewrite])
    solver = active_solver(cfg)
    if solver is not None:
        parts["solver"] = digested_settings(solver)
        parts["solver_template"] = renderer.digest([cfg.prompt.solver])
    return stable_hash(parts)
