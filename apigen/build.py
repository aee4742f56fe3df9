"""The one place that turns a validated Config into objects. Everything that can fail on a bad
config (catalog entries, templates, the few-shot file, the local model) fails here, before the
first LLM call."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from apigen.catalog import Catalog, load_catalog
from apigen.config import Config, validate
from apigen.llm.client import LLMClient
from apigen.llm.roles import generator_config, is_local, judge_configs  # judge_configs: also for runner
from apigen.parsing import generation_schema, parse_completion
from apigen.prompting import PromptRenderer
from apigen.records import QUERY_STYLES, Candidate, Completion, SampleRequest, stable_hash
from apigen.sampling import FewShotExample, RequestSampler, example_file_digest, load_examples
from apigen.verify.execution import ExecutionChecker
from apigen.verify.format import FormatChecker
from apigen.verify.sandbox import SandboxPool
from apigen.verify.semantic import SemanticJudge

# Keys that change how a run goes, not what it generates; left out of the config digest so that
# a resumed run may ask for more samples or more concurrency. API keys are secrets.
_NOT_DIGESTED = ("num_samples", "concurrency", "output", "name")
_SECRET_KEYS = ("api_key",)


def config_digest(cfg: Config) -> str:
    data = asdict(cfg)
    for key in _NOT_DIGESTED:
        data.pop(key, None)
    for role in ("llm", "judge"):
        for key in _SECRET_KEYS:
            data[role].pop(key, None)
        for key in ("timeout_s", "max_retries", "retry_backoff_s"):
            data[role].pop(key, None)
    for member in data["verifier"]["semantic"]["committee"]:
        for key in _SECRET_KEYS:
            member.pop(key, None)
    return stable_hash(data)


@dataclass
class Components:
    cfg: Config
    catalog: Catalog
    renderer: PromptRenderer
    examples: dict[str, FewShotExample]
    sampler: RequestSampler
    generator: LLMClient
    format_checker: FormatChecker
    pool: SandboxPool
    execution: ExecutionChecker | None
    judge: SemanticJudge | None
    digests: dict[str, str]

    def generation_schema(self, request: SampleRequest) -> dict[str, Any]:
        return generation_schema(request, [self.catalog.get(n) for n in request.api_names])  # type: ignore[misc]

    def render_generator_prompt(self, request: SampleRequest) -> tuple[dict[str, str], ...]:
        tools = [self.catalog.get(n).tool_schema() for n in request.api_names]  # type: ignore[union-attr]
        examples = [
            {"query": e.query, "answers": e.answers, "tools": e.tools}
            for e in (self.examples[i] for i in request.example_ids)
        ]
        return self.renderer.render_messages(
            request.template, tools=tools, examples=examples, num_queries=request.num_queries, style=request.style,
        )

    def parse(self, request: SampleRequest, completion: Completion) -> list[Candidate]:
        return parse_completion(request, completion)


def _register_local_backend(cfg: Config) -> None:
    roles = [generator_config(cfg), *(c for c, _ in judge_configs(cfg))]
    if any(is_local(r.model) for r in roles):
        from apigen.llm.local import register_local_provider

        register_local_provider(roles)


def build(cfg: Config) -> Components:
    validate(cfg)
    catalog = load_catalog(cfg.catalog.paths, cfg.catalog.sources).select(cfg.catalog.categories, cfg.catalog.apis, cfg.catalog.exclude_apis)
    renderer = PromptRenderer(cfg.prompt.search_path)
    styles = [s for s in QUERY_STYLES if cfg.sampler.styles.get(s, 0) > 0]
    for template in [*cfg.prompt.generator, cfg.prompt.judge, *(f"styles/{s}.j2" for s in styles)]:
        renderer.check(template)
    examples = load_examples(cfg.sampler.examples_file)
    digest = config_digest(cfg)
    sampler = RequestSampler(catalog, cfg.sampler, cfg.prompt.generator, examples, cfg.seed, digest)
    _register_local_backend(cfg)
    vcfg = cfg.verifier
    ecfg = vcfg.execution
    pool = SandboxPool(ecfg.workers, ecfg.timeout_s, ecfg.memory_mb, ecfg.max_result_chars, ecfg.cpu_time_s, ecfg.max_output_chars)
    judge = None
    if vcfg.semantic.enabled:
        judges = judge_configs(cfg)
        judge = SemanticJudge(catalog, [LLMClient(c, role="judge") for c, _ in judges], renderer, cfg.prompt.judge,
                              [v for _, v in judges], vcfg.semantic.pass_threshold, vcfg.semantic.retries)
    components = Components(
        cfg=cfg, catalog=catalog, renderer=renderer, examples={e.id: e for e in examples}, sampler=sampler,
        generator=LLMClient(generator_config(cfg), role="generator"),
        format_checker=FormatChecker(catalog, enabled=vcfg.format.enabled, example_queries=[e.query for e in examples]),
        pool=pool, execution=ExecutionChecker(catalog, pool) if vcfg.execution.enabled else None, judge=judge,
        digests={
            "config": digest, "catalog": catalog.digest(),
            "prompts": renderer.digest([*cfg.prompt.generator, cfg.prompt.judge]),
            "examples": example_file_digest(cfg.sampler.examples_file),
        },
    )
    _dry_render(components, styles)
    return components


def _dry_render(components: Components, styles: list[str]) -> None:
    """Render every generator template for every enabled style, and the judge template, once:
    a template that needs a variable it is not given fails now (StrictUndefined), not after the
    first LLM call."""
    base = components.sampler.request(0)
    for template in components.cfg.prompt.generator:
        for style in styles:
            components.render_generator_prompt(replace(base, template=template, style=style))
    if components.judge is not None:
        probe = Candidate(candidate_id="probe", sample_id="probe", position=0, style=base.style,
                          api_names=base.api_names, query="probe")
        components.judge.messages(probe, [])
