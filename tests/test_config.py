"""Real Hydra composition of conf/: every experiment composes and builds; typos fail by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException
from omegaconf.errors import ConfigKeyError, ValidationError

from apigen.build import build
from apigen.config import ConfigError
from conftest import CONF, FakeLLMServer, compose_config, judge, pairs, run_cli

EXPERIMENTS = sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))
REMOTE = ["llm=openai_compatible"]  # building the embedded model is covered by test_local_model.py


def test_experiments_exist():
    assert {"smoke", "diverse"} <= set(EXPERIMENTS)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_experiment_composes_and_builds(experiment):
    cfg = compose_config([f"+experiment={experiment}", *REMOTE])
    components = build(cfg)
    assert len(components.catalog) > 0
    assert components.generator.request(0).style in cfg.sampler.styles


def test_diverse_uses_all_styles_several_categories_and_templates():
    cfg = compose_config(["+experiment=diverse", *REMOTE])
    components = build(cfg)
    requests = [components.generator.request(i) for i in range(200)]
    assert {r.style for r in requests} == {"simple", "multiple", "parallel", "parallel_multiple"}
    assert len({r.template for r in requests}) >= 3
    categories = {components.catalog.get(n).category for r in requests for n in r.api_names}
    assert len(categories) >= 3


@pytest.mark.parametrize("group", ["catalog", "sampler", "prompt", "llm", "judge", "verifier", "output"])
def test_every_group_option_composes(group):
    for option in sorted(p.stem for p in (CONF / group).glob("*.yaml")):
        cfg = compose_config([f"{group}={option}"])
        assert cfg.llm.model


def test_misspelled_key_on_command_line_names_the_key():
    with pytest.raises(ConfigCompositionException) as info:
        compose_config(["llm.modle=openai/x"])
    assert "modle" in str(info.value.__cause__ or info.value)


def test_unknown_key_in_a_group_file_names_the_key_and_the_file(tmp_path: Path):
    (tmp_path / "llm").mkdir()
    (tmp_path / "llm" / "typo.yaml").write_text("model: openai/x\ntemprature: 0.2\n")
    result = run_cli([f"hydra.searchpath=[file://{tmp_path}]", "llm=typo"])
    assert result.returncode != 0
    assert "temprature" in result.stderr and "llm/typo" in result.stderr


def test_wrong_type_names_the_key():
    with pytest.raises((ValidationError, ConfigCompositionException)) as info:
        compose_config(["num_samples=many"])
    assert "num_samples" in str(info.value) + str(info.value.__cause__)


def test_semantic_checks_name_the_key():
    with pytest.raises(ConfigError, match="sampler.queries_per_call"):
        build(compose_config(["sampler.queries_per_call.min=3", "sampler.queries_per_call.max=1", *REMOTE]))
    with pytest.raises(ConfigError, match="sampler.styles"):
        build(compose_config(["+sampler.styles.chatty=1.0", *REMOTE]))


def test_missing_template_fails_at_build_before_any_llm_call():
    from apigen.prompting import PromptError

    with FakeLLMServer({"generator": [pairs()], "judge": [judge(True)]}) as server:
        with pytest.raises(PromptError, match="nope.j2"):
            build(compose_config(["prompt.generator=[generator/nope.j2]", "llm=openai_compatible", f"llm.api_base={server.api_base}"]))
        assert server.requests == []


def test_judge_defaults_to_the_generator_and_can_differ():
    cfg = compose_config(["llm=openai_compatible", "llm.model=openai/gen", "llm.api_base=http://127.0.0.1:9/v1"])
    assert cfg.judge.model == "openai/gen" and cfg.judge.api_base == "http://127.0.0.1:9/v1"
    assert cfg.judge.temperature == 0.0
    cfg = compose_config(["llm=openai_compatible", "llm.model=openai/gen", "judge.model=openai/judge"])
    assert cfg.judge.model == "openai/judge"


def test_shared_config_directory_on_the_search_path(tmp_path: Path):
    """A team shares configs by putting their folder on Hydra's search path."""
    (tmp_path / "experiment").mkdir()
    (tmp_path / "experiment" / "team_finance.yaml").write_text(
        "# @package _global_\nname: team_finance\nnum_samples: 3\ncatalog:\n  categories: [Finance]\n"
    )
    cfg = compose_config([f"hydra.searchpath=[file://{tmp_path}]", "+experiment=team_finance", *REMOTE])
    assert cfg.name == "team_finance" and cfg.catalog.categories == ["Finance"]


def test_multirun_sweep_writes_one_run_per_seed(tmp_path: Path):
    reply = pairs(("Is 97 prime?", [("is_prime", {"n": 97})]))
    with FakeLLMServer({"generator": lambda r: reply, "judge": [judge(True)]}) as server:
        result = run_cli([
            "-m", "+experiment=smoke", "seed=1,2", "llm=openai_compatible", f"llm.api_base={server.api_base}",
            "llm.model=openai/fake", "catalog.apis=[is_prime]", "output.progress=false",
            f"hydra.sweep.dir={tmp_path}",
        ])
    assert result.returncode == 0, result.stderr[-3000:]
    manifests = sorted(tmp_path.glob("*/manifest.json"))
    assert len(manifests) == 2
    seeds = sorted(json.loads(m.read_text())["seed"] for m in manifests)
    assert seeds == [1, 2]
