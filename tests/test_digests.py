"""Sample ids and prompts depend only on what shapes generation; speed and infrastructure
settings change neither them nor whether a run directory is resumed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from apigen.catalog import load_catalog
from apigen.config import Config
from apigen.digests import generation_digest, run_digest
from apigen.llm.roles import generator_config
from apigen.paths import prompts_dir
from apigen.prompting import PromptRenderer
from apigen.sampling import RequestSampler, example_file_digest, load_examples

from conftest import compose_config

REMOTE = ["llm=openai_compatible", "llm.api_base=http://127.0.0.1:8000/v1", "llm.model=openai/m"]


def digests(cfg: Config) -> tuple[str, str, list]:
    """(generation digest, run digest, the first sample ids) as build() computes them, without
    loading an embedded model."""
    catalog = load_catalog(cfg.catalog.paths, cfg.catalog.sources).select(cfg.catalog.categories, cfg.catalog.apis, cfg.catalog.exclude_apis)
    renderer = PromptRenderer(cfg.prompt.search_path)
    generation = generation_digest(cfg, catalog, renderer, example_file_digest(cfg.sampler.examples_file), generator_config(cfg))
    sampler = RequestSampler(catalog, cfg.sampler, cfg.prompt.generator, load_examples(cfg.sampler.examples_file), cfg.seed, generation)
    return generation, run_digest(cfg, generation, renderer), [sampler.request(i) for i in range(20)]


SPEED_SETTINGS = [
    ["verifier.execution.workers=8", "concurrency=64", "num_samples=999", "name=other"],
    ["llm.api_base=http://127.0.0.1:9999/v1", "llm.api_key=secret", "llm.timeout_s=5", "llm.max_retries=9",
     "llm.retry_backoff_s=0.1"],
    ["judge.api_base=http://127.0.0.1:7/v1", "judge.timeout_s=3", "verifier.execution.timeout_s=1", "output.progress=false",
     "output=all_formats"],
    ["verifier.semantic.committee=[{model: openai/j, api_base: 'http://h:1/v1', api_key: k}]"],
]


@pytest.mark.parametrize("overrides", SPEED_SETTINGS[:3])
def test_speed_and_infrastructure_settings_change_nothing(overrides):
    base = digests(compose_config(REMOTE))
    assert digests(compose_config(REMOTE + overrides)) == base


def test_committee_endpoints_are_infrastructure_too():
    with_member = compose_config(REMOTE + SPEED_SETTINGS[3])
    elsewhere = compose_config(REMOTE + ["verifier.semantic.committee=[{model: openai/j, api_base: 'http://other:2/v1'}]"])
    assert digests(with_member) == digests(elsewhere)


def test_embedded_engine_threads_and_context_change_nothing():
    base = digests(compose_config([]))
    assert digests(compose_config(["llm.local.n_threads=1", "llm.local.n_ctx=8192"])) == base
    assert digests(compose_config(["llm.local.seed=3"]))[0] != base[0]  # sampling settings do count


@pytest.mark.parametrize("overrides", [
    ["seed=1"], ["llm.temperature=0.2"], ["llm.model=openai/other"], ["llm.max_tokens=99"],
    ["sampler.same_category=0.9"], ["catalog=finance"], ["prompt=varied"],
])
def test_what_shapes_generation_changes_the_ids(overrides):
    base_gen, base_run, base_requests = digests(compose_config(REMOTE))
    gen, run, requests = digests(compose_config(REMOTE + overrides))
    assert gen != base_gen and run != base_run
    assert [r.sample_id for r in requests] != [r.sample_id for r in base_requests]


@pytest.mark.parametrize("overrides", [
    ["verifier.stages=[format,execution]"], ["verifier.semantic.pass_threshold=0.5"], ["judge.model=openai/judge"],
    ["verifier.execution.memory_mb=512"],
])
def test_verification_settings_change_only_the_run_digest(overrides):
    with_judge = REMOTE + ["verifier=with_judge"]
    base_gen, base_run, base_requests = digests(compose_config(with_judge))
    gen, run, requests = digests(compose_config(with_judge + overrides))
    assert gen == base_gen and requests == base_requests and run != base_run


def test_judge_settings_do_not_count_without_the_semantic_stage():
    no_judge = REMOTE + ["verifier.stages=[format,dedup,execution]"]
    assert digests(compose_config(no_judge)) == digests(compose_config(no_judge + ["judge.model=openai/judge"]))


def test_solver_settings_count_only_with_the_roundtrip_stage():
    without = REMOTE + ["verifier.stages=[format,dedup,execution]"]
    base = digests(compose_config(without))
    assert base == digests(compose_config(without + ["verifier.roundtrip.k=5", "verifier.roundtrip.solver.model=openai/s"]))
    with_stage = REMOTE + ["verifier.stages=[format,roundtrip]"]
    gen, run, _ = digests(compose_config(with_stage))
    for change in ("verifier.roundtrip.k=5", "verifier.roundtrip.solver.model=openai/s", "verifier.roundtrip.solver.temperature=0.2"):
        other_gen, other_run, _ = digests(compose_config(with_stage + [change]))
        assert other_gen == gen and other_run != run, change
    assert digests(compose_config(with_stage + ["verifier.roundtrip.solver.api_base=http://h:1/v1"]))[1] == run


def test_an_edited_template_changes_the_ids_but_a_judge_template_only_the_run(tmp_path: Path):
    mine = tmp_path / "prompts"
    shutil.copytree(prompts_dir(), mine)
    base = digests(compose_config(REMOTE + [f"prompt.search_path=[{mine}]"]))
    (mine / "judge" / "semantic.j2").write_text((mine / "judge" / "semantic.j2").read_text() + "\nBe strict.\n")
    judged = digests(compose_config(REMOTE + [f"prompt.search_path=[{mine}]"]))
    assert judged[0] == base[0] and judged[1] != base[1]
    (mine / "generator" / "_examples.j2").write_text((mine / "generator" / "_examples.j2").read_text() + "\n")
    assert digests(compose_config(REMOTE + [f"prompt.search_path=[{mine}]"]))[0] != base[0]


def test_a_copy_of_the_prompts_elsewhere_is_the_same_config(tmp_path: Path):
    shutil.copytree(prompts_dir(), tmp_path / "copy")
    assert digests(compose_config(REMOTE + [f"prompt.search_path=[{tmp_path / 'copy'}]"])) == digests(compose_config(REMOTE))


def test_derived_styles_and_feedback_count_only_when_on():
    off = digests(compose_config(REMOTE))
    # off: their settings change nothing (and earlier runs keep their sample ids: tests/golden/requests_off.json)
    assert digests(compose_config(REMOTE + ["derive.missing_parameter_answer=clarify", "derive.distractors.max=5",
                                            "sampler.feedback.share=0.9", "sampler.feedback.pool_size=7"])) == off
    assert digests(compose_config(REMOTE + ["sampler.styles.irrelevance=0.5"]))[0] != off[0]
    assert digests(compose_config(REMOTE + ["sampler.feedback.round_size=50"]))[0] != off[0]
    derived = REMOTE + ["sampler.styles.missing_parameter=0.5", "verifier.stages=[format,dedup]"]
    gen, run, _ = digests(compose_config(derived))
    # what decides derived rows decides verdicts: the relevance stage uses the round-trip solver and its k
    for change in ("derive.missing_parameter_answer=clarify", "verifier.roundtrip.k=3", "verifier.roundtrip.solver.model=openai/s"):
        other_gen, other_run, _ = digests(compose_config(derived + [change]))
        assert other_gen == gen and other_run != run, change
