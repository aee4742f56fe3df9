"""A shard (``shard.index`` / ``shard.count``) makes the samples i with i mod count == index, with the
unsharded run's sample ids and prompts: N shards merged give exactly the rows of one run."""

from __future__ import annotations

import json

import pytest

from apigen.build import build
from apigen.config import ConfigError, validate
from apigen.merge import main as merge_main
from apigen.runner import ResumeMismatch, run

from conftest import FakeLLMServer, compose_config, run_cli
from shard_helpers import overrides, prompts, rows, scripts

NUM_SAMPLES = 8
COUNT = 3  # 8 samples over 3 shards: 3, 3 and 2


@pytest.mark.parametrize(("keys", "message"), [
    (["shard.count=0"], "shard.count: must be >= 1"),
    (["shard.count=3", "shard.index=3"], "shard.index: must be in [0, shard.count - 1] = [0, 2], got 3"),
    (["shard.index=-1"], "shard.index: must be in [0, shard.count - 1] = [0, 0], got -1"),
])
def test_a_bad_shard_setting_fails_naming_the_key(keys, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        validate(compose_config(keys))


def test_a_bad_shard_setting_ends_the_cli_in_one_line(tmp_run):
    result = run_cli(["llm=openai_compatible", "llm.model=openai/fake", "shard.count=2", "shard.index=2",
                      f"hydra.run.dir={tmp_run}"])
    assert result.returncode == 1
    assert "apigen: error: shard.index: must be in [0, shard.count - 1] = [0, 1], got 2" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_shard_has_the_digests_and_sample_ids_of_the_unsharded_run():
    with FakeLLMServer(scripts()) as server:
        whole = build(compose_config(overrides(server, NUM_SAMPLES)))
        shard = build(compose_config(overrides(server, NUM_SAMPLES, "shard.count=3", "shard.index=1", "concurrency=4")))
    assert shard.digests == whole.digests
    assert [shard.generator.request(i) for i in range(NUM_SAMPLES)] == [whole.generator.request(i) for i in range(NUM_SAMPLES)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One unsharded run and the same run as three shards, each in its own directory."""
    base = tmp_path_factory.mktemp("shards")
    with FakeLLMServer(scripts()) as server:
        whole = run(compose_config(overrides(server, NUM_SAMPLES)), base / "whole")
        shards = [run(compose_config(overrides(server, NUM_SAMPLES, f"shard.count={COUNT}", f"shard.index={i}")), base / f"shard{i}")
                  for i in range(COUNT)]
    return base, whole, shards


def test_each_shard_makes_its_own_samples_with_the_unsharded_prompts(reference):
    base, whole, shards = reference
    everything = prompts(base / "whole")
    assert sorted(index for index, _ in everything.values()) == list(range(NUM_SAMPLES))
    union: dict[str, tuple[int, str]] = {}
    for i, manifest in enumerate(shards):
        made = prompts(base / f"shard{i}")
        assert sorted(index for index, _ in made.values()) == list(range(i, NUM_SAMPLES, COUNT))
        assert manifest["shard"] == {"index": i, "count": COUNT, "num_samples": NUM_SAMPLES}
        assert manifest["samples"]["requested"] == manifest["samples"]["finished"] == len(range(i, NUM_SAMPLES, COUNT))
        assert manifest["status"] == "completed" and manifest["digests"] == whole["digests"]
        union.update(made)
    assert union == everything  # the same sample ids, with the same prompts


def test_the_shards_merged_are_exactly_the_rows_of_one_run(reference, tmp_path, capsys):
    base, whole, shards = reference
    # The shards alone hold copies of queries kept elsewhere; the merge drops them.
    assert sum(m["counts"]["kept"] for m in shards) > whole["counts"]["kept"] >= 3
    assert merge_main([str(base / f"shard{i}") for i in range(COUNT)] + ["-o", str(tmp_path / "merged"), "--formats", "jsonl"]) == 0
    assert rows(tmp_path / "merged") == rows(base / "whole")
    merged = json.loads((tmp_path / "merged" / "manifest.json").read_text())
    assert merged["status"] == "completed" and merged["rows"] == whole["counts"]["kept"]
    assert merged["counts"]["generated"] == whole["counts"]["generated"]
    assert "Merged" in capsys.readouterr().out


def test_a_shard_resumes_only_into_its_own_directory(reference, tmp_path):
    base, _, _ = reference
    with FakeLLMServer(scripts()) as server, pytest.raises(ResumeMismatch, match="holds shard 1 of 3, not shard 2 of 3"):
        run(compose_config(overrides(server, NUM_SAMPLES, f"shard.count={COUNT}", "shard.index=2")), base / "shard1")
