"""The one place that turns a validated Config into objects. Everything that can fail on a bad
config (catalog entries, templates, the few-shot file, the stage list, the local model) fails
here, before the first LLM call."""

from __future__ import annotations

from dataclasses import dataclass

from apigen.catalog import Catalog, load_catalog
from apigen.config import Config, validate
from apigen.digests import generation_digest, generator_templates, run_digest
from apigen.execution import ExecutionService, SandboxPool
from apigen.generate import Generator
from apigen.llm.client import LLMClient
from apigen.llm.roles import active_roles, generator_config, is_local
from apigen.prompting import PromptRenderer
from apigen.sampling import RequestSampler, derived_styles, enabled_styles, example_file_digest, load_examples
from apigen.verify.chain import StageEnv, VerifierChain, stage_named


@dataclass
class Components:
    cfg: Config
    catalog: Catalog
    generator: Generator
    chain: VerifierChain
    digests: dict[str, str]
    sandbox: SandboxPool


def register_local_backend(cfg: Config) -> None:
    """Load the embedded models the run's active roles name (none when every role is remote)."""
    roles = active_roles(cfg)
    if any(is_local(r.model) for r in roles):
        from apigen.llm.local import register_local_provider

        register_local_provider(roles)


def chain_stages(cfg: Config) -> list[str]:
    """``verifier.stages``, plus the relevance stage at the end when a derived style is drawn: it
    makes the derived rows from candidates that passed every other stage."""
    stages = list(cfg.verifier.stages)
    if derived_styles(cfg.sampler) and "relevance" not in stages:
        stages.append("relevance")
    return stages


def build(cfg: Config) -> Components:
    validate(cfg)
    catalog = load_catalog(cfg.catalog.paths, cfg.catalog.sources).select(cfg.catalog.categories, cfg.catalog.apis, cfg.catalog.exclude_apis)
    renderer = PromptRenderer(cfg.prompt.search_path)
    for template in generator_templates(cfg):
        renderer.check(template)
    examples = load_examples(cfg.sampler.examples_file)
    examples_digest = example_file_digest(cfg.sampler.examples_file)
    generation = generation_digest(cfg, catalog, renderer, examples_digest, generator_config(cfg))
    sampler = RequestSampler(catalog, cfg.sampler, cfg.prompt.generator, examples, cfg.seed, generation)
    register_local_backend(cfg)
    generator = Generator(catalog, renderer, sampler, LLMClient(generator_config(cfg), role="generator"))
    pool = SandboxPool.from_config(cfg.verifier.execution)
    env = StageEnv(cfg, catalog, renderer, {e.id: e for e in examples}, ExecutionService(pool))
    chain = VerifierChain([stage_named(name, env) for name in chain_stages(cfg)], catalog)
    components = Components(
        cfg=cfg, catalog=catalog, generator=generator, chain=chain,
        digests={
            "generation": generation, "run": run_digest(cfg, generation, renderer),
            "catalog": catalog.digest(), "examples": examples_digest,
        },
        sandbox=pool,
    )
    generator.dry_render(enabled_styles(cfg.sampler), cfg.prompt.generator)
    return components
