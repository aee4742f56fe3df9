"""Real Hydra composition of conf/: every experiment composes and builds; typos fail by name."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml
from hydra.core.config_store import ConfigStore
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf
from omegaconf.errors import ValidationError

from apigen.build import build
from apigen.config import Config, ConfigError, EvalRunConfig
from apigen.llm.roles import judge_config, judge_configs

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


# Group folders whose files are checked against the schema defaults.
DEFAULTS_CHECKED = sorted(p.name for p in CONF.iterdir() if p.is_dir() and p.name != "experiment")


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def _composed(group: str, option: str):
    """A group option as Hydra composes it, from the schema default of its group up: each entry of
    its defaults list (a schema in the ConfigStore or another option file) and then its own keys."""
    return OmegaConf.merge(_base(group, option), _body(group, option))


def _base(group: str, option: str):
    # The eval group belongs to conf/evaluate.yaml's schema, every other group to conf/config.yaml's.
    base = OmegaConf.structured(getattr(EvalRunConfig() if group == "eval" else Config(), group))
    for entry in _yaml(CONF / group / f"{option}.yaml").get("defaults", []):
        if entry == "_self_":
            continue
        stored = ConfigStore.instance().repo.get(group, {}).get(f"{entry}.yaml")
        base = OmegaConf.merge(base, stored.node if stored is not None else _composed(group, entry))
    return base


def _body(group: str, option: str) -> dict:
    return {k: v for k, v in _yaml(CONF / group / f"{option}.yaml").items() if k != "defaults"}


def _repeated(body: dict, base: dict, prefix: str = "") -> list[str]:
    """Keys of ``body`` (recursively) whose value equals the one in ``base``."""
    found = []
    for key, value in body.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            found += _repeated(value, base[key], f"{prefix}{key}.")
        elif key in base and value == base[key]:
            found.append(f"{prefix}{key}")
    return found


@pytest.mark.parametrize("group", DEFAULTS_CHECKED)
def test_group_files_state_only_what_differs_from_the_schema_defaults(group):
    """Defaults live in apigen/config.py; a group file repeating one would hide a later change."""
    for path in sorted((CONF / group).glob("*.yaml")):
        base = OmegaConf.to_container(_base(group, path.stem))
        assert not _repeated(_body(group, path.stem), base), f"{path.relative_to(CONF)} repeats default(s)"


def test_experiments_are_minimal_deltas():
    chosen = {k: v for entry in _yaml(CONF / "config.yaml")["defaults"] if isinstance(entry, dict) for k, v in entry.items()}
    for path in sorted((CONF / "experiment").glob("*.yaml")):
        data = _yaml(path)
        groups = {k.split("/", 1)[1]: v for entry in data.get("defaults", []) for k, v in entry.items()}
        assert all(chosen[g] != o for g, o in groups.items()), f"{path.name} re-selects a default option: {groups}"
        base = asdict(compose_config([f"{g}={o}" for g, o in groups.items()]))
        body = {k: v for k, v in data.items() if k != "defaults"}
        assert not _repeated(body, base), f"experiment/{path.name} repeats default(s)"


def test_no_two_group_options_are_the_same():
    for group in DEFAULTS_CHECKED:
        options = {path.stem: OmegaConf.to_container(_composed(group, path.stem)) for path in (CONF / group).glob("*.yaml")}
        seen: dict[str, str] = {}
        for option, composed in sorted(options.items()):
            key = json.dumps(composed, sort_keys=True)
            assert key not in seen, f"{group}={option} is the same as {group}={seen[key]}"
            seen[key] = option


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


def test_judge_inherits_the_llm_settings_it_does_not_override_and_keeps_its_temperature():
    generator = ["llm=openai_compatible", "llm.model=openai/gen", "llm.api_base=http://127.0.0.1:9/v1", "llm.temperature=0.9",
                 "llm.max_tokens=2000", "llm.timeout_s=33", "llm.json_mode=false", "+llm.extra.top_p=0.5"]
    cfg = compose_config(generator)
    judge = judge_config(cfg)
    assert (judge.model, judge.api_base, judge.api_key) == ("openai/gen", "http://127.0.0.1:9/v1", "not-needed")
    assert (judge.timeout_s, judge.max_retries, judge.json_mode, judge.extra) == (33.0, 3, False, {"top_p": 0.5})
    assert (judge.temperature, judge.max_tokens) == (0.0, 512)  # the judge's own defaults
    assert judge_configs(cfg) == [(judge, 1)] and not hasattr(judge, "local")
    cfg = compose_config([*generator, "judge.model=openai/judge", "judge.temperature=0.2", "judge.max_tokens=null"])
    judge = judge_config(cfg)
    assert (judge.model, judge.temperature, judge.max_tokens, judge.api_base) == ("openai/judge", 0.2, 2000, "http://127.0.0.1:9/v1")
    assert cfg.llm.temperature == 0.9  # the generator is left as it is


def test_a_remote_llm_prints_no_local_block_and_cannot_take_one():
    result = run_cli(["llm=openai", "--cfg", "job"])
    assert result.returncode == 0, result.stderr[-2000:]
    job = yaml.safe_load(result.stdout)
    assert job["llm"]["model"] == "openai/gpt-4o-mini" and "local" not in job["llm"] and "local" not in job["judge"]
    assert "local:" not in result.stdout
    with pytest.raises(ConfigCompositionException) as info:
        compose_config(["llm=openai", "llm.local.n_threads=2"])
    assert "Key 'local' not in 'LLMConfig'" in str(info.value.__cause__)


def test_engine_settings_of_the_default_local_llm_are_set_from_the_command_line():
    cfg = compose_config(["llm.local.n_threads=2"])
    assert cfg.llm.model == "local/qwen2.5-coder-1.5b" and cfg.llm.local.n_threads == 2
    small = compose_config(["llm=local_small", "llm.local.n_ctx=2048"])
    assert small.llm.model == "local/qwen2.5-coder-0.5b" and small.llm.local.n_ctx == 2048
    assert judge_config(small).model == "local/qwen2.5-coder-0.5b"


def test_a_local_block_for_a_remote_model_fails_naming_the_key():
    with pytest.raises(ConfigError, match=r"llm\.local: .* 'openai/gpt-4o-mini'.*llm=openai"):
        build(compose_config(["llm.model=openai/gpt-4o-mini"]))
    with pytest.raises(ConfigError, match=r"judge\.local: .* 'hosted_vllm/local-model'"):
        build(compose_config(["judge=local", *REMOTE]))
    # a judge sharing the generator's loaded model cannot have other engine settings
    with pytest.raises(ConfigError, match=r"judge\.local: the judge runs the generator's model"):
        build(compose_config(["judge=local", "judge.local.n_ctx=1024"]))


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
