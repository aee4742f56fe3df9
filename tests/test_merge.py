"""``python -m apigen.merge`` / ``apigen merge``: shard directories into one dataset, manifest and
report; refused across configs, cross-shard duplicates dropped, idempotent, and readable while a
shard is still running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apigen.merge import main as merge_main
from apigen.runner import run

from conftest import ROOT, FakeLLMServer, compose_config, read_jsonl
from shard_helpers import overrides, rows, scripts

NUM_SAMPLES = 6


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> Path:
    """shard0, shard1: the two shards of one run; other_seed, other_verifier: shard 1 of runs of
    another generation config and of other verifier settings."""
    base = tmp_path_factory.mktemp("merge")
    with FakeLLMServer(scripts()) as server:
        for i in range(2):
            run(compose_config(overrides(server, NUM_SAMPLES, "shard.count=2", f"shard.index={i}")), base / f"shard{i}")
        run(compose_config(overrides(server, NUM_SAMPLES, "shard.count=2", "shard.index=1", "seed=1")), base / "other_seed")
        run(compose_config(overrides(server, NUM_SAMPLES, "shard.count=2", "shard.index=1",
                             "verifier.stages=[format,dedup,execution]")),
            base / "other_verifier")
    return base


def files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_merging_twice_gives_the_same_bytes(shards, tmp_path):
    args = [str(shards / "shard0"), str(shards / "shard1"), "-o", str(tmp_path / "out"), "--formats", "json,jsonl,parquet"]
    assert merge_main(args) == 0
    first = files(tmp_path / "out")
    assert {"manifest.json", "report.md", "dataset/examples.jsonl", "dataset/examples.parquet", "dataset/dataset_info.json"} <= set(first)
    assert merge_main(args) == 0
    assert files(tmp_path / "out") == first


def test_cross_shard_duplicates_are_dropped_and_counted(shards, tmp_path):
    assert merge_main([str(shards / "shard0"), str(shards / "shard1"), "-o", str(tmp_path / "out")]) == 0
    merged = json.loads((tmp_path / "out" / "dataset" / "examples.json").read_text())  # the default format
    kept_by_shards = [o["example"]["query"] for i in range(2) for o in read_jsonl(shards / f"shard{i}" / "verdicts.jsonl") if o["kept"]]
    queries = [row["query"] for row in merged]
    assert len(queries) == len(set(queries)) == len(set(kept_by_shards)) < len(kept_by_shards)
    assert [row["id"] for row in merged] == list(range(len(merged)))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    dropped = len(kept_by_shards) - len(queries)
    assert manifest["counts"]["failed_merge"] == dropped == sum(s["cross_shard_duplicates"] for s in manifest["shards"])
    assert manifest["reasons"]["merge"] == {"cross_shard_duplicate": dropped}
    assert manifest["counts"]["kept"] == manifest["rows"] == len(queries)
    # Table 1 per shard and in total, in the manifest and in the report
    assert [s["counts"]["kept"] for s in manifest["shards"]] == [
        sum(o["kept"] for o in read_jsonl(shards / f"shard{i}" / "verdicts.jsonl")) for i in range(2)]
    report = (tmp_path / "out" / "report.md").read_text()
    assert report.count("Pass rate") == 3 and "## Shard 0: completed" in report and "## Shard 1: completed" in report
    assert "`cross_shard_duplicate`" in report


@pytest.mark.parametrize(("other", "message"), [
    ("other_seed", "the shards come from different generation configs"),
    ("other_verifier", "the shards come from different verifier settings"),
    ("shard0", "are both shard 0"),
])
def test_shards_of_different_runs_are_refused(shards, tmp_path, capsys, other, message):
    first = "shard0" if other != "shard0" else "shard1"
    second = shards / other
    if other == "shard0":  # the same shard twice, under two names
        second = tmp_path / "copy"
        second.mkdir()
        for name in ("manifest.json", "candidates.jsonl", "verdicts.jsonl"):
            (second / name).write_bytes((shards / "shard0" / name).read_bytes())
        args = [str(shards / "shard0"), str(second)]
    else:
        args = [str(shards / first), str(second)]
    assert merge_main([*args, "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and str(second) in err
    assert not (tmp_path / "out").exists()


def test_the_output_may_not_be_a_run_directory(shards, tmp_path, capsys):
    before = files(shards / "shard0")
    assert merge_main([str(shards / "shard0"), str(shards / "shard1"), "-o", str(shards / "shard0")]) == 1
    assert "holds a run, which the merge would overwrite" in capsys.readouterr().err
    assert files(shards / "shard0") == before


def test_a_missing_shard_makes_the_merge_incomplete(shards, tmp_path, capsys):
    assert merge_main([str(shards / "shard0"), "-o", str(tmp_path / "out")]) == 3
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "incomplete" and manifest["missing_shards"] == [1]
    assert "shard 1: missing" in capsys.readouterr().out


def test_a_shard_still_running_is_read_as_far_as_it_got_and_reported_incomplete(shards, tmp_path):
    """shard 1 runs in another process against a slow server while it is merged, then again once done."""
    run_dir = tmp_path / "shard1"
    out = tmp_path / "out"
    with FakeLLMServer(scripts(), latency_s=0.3) as server:
        args = [*overrides(server, NUM_SAMPLES, "shard.count=2", "shard.index=1"), f"hydra.run.dir={run_dir}"]
        process = subprocess.Popen([sys.executable, "-m", "apigen", *args], cwd=str(ROOT), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not any(o["kept"] for o in _verdicts(run_dir)):
                time.sleep(0.05)
            assert any(o["kept"] for o in _verdicts(run_dir)), "the shard kept nothing before the deadline"
            assert merge_main(["-o", str(out), str(shards / "shard0"), str(run_dir)]) == 3
            assert process.poll() is None, "the shard finished before the merge: the test did not test a running shard"
            during = json.loads((out / "manifest.json").read_text())
            running = next(s for s in during["shards"] if s["index"] == 1)
            assert running["status"] == "running" and running["complete"] is False and during["status"] == "incomplete"
            assert running["samples"]["finished"] < running["samples"]["requested"]
        finally:
            _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr[-3000:]
    assert merge_main(["-o", str(out), str(shards / "shard0"), str(run_dir), "--formats", "jsonl"]) == 0
    after = json.loads((out / "manifest.json").read_text())
    assert after["status"] == "completed" and after["rows"] >= during["rows"]
    reference = tmp_path / "reference"
    assert merge_main(["-o", str(reference), str(shards / "shard0"), str(shards / "shard1"), "--formats", "jsonl"]) == 0
    assert rows(out) == rows(reference)  # the shard run here made the same rows as the fixture's shard 1


def _verdicts(run_dir: Path) -> list[dict]:
    path = run_dir / "verdicts.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")] if path.exists() else []


def test_apigen_merge_takes_a_sweep_directory_and_skips_its_files_and_merge_outputs(shards, tmp_path):
    sweep = tmp_path / "sweep"
    for i in range(2):
        (sweep / str(i)).mkdir(parents=True)
        for name in ("manifest.json", "candidates.jsonl", "verdicts.jsonl"):
            (sweep / str(i) / name).write_bytes((shards / f"shard{i}" / name).read_bytes())
    (sweep / "multirun.yaml").write_text("hydra: {}\n")
    command = [sys.executable, "-c", "import sys; from apigen.__main__ import cli; sys.argv[0] = 'apigen'; cli()", "merge"]
    result = subprocess.run([*command, str(sweep), "--formats", "jsonl"], cwd=str(ROOT), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "shard 0: completed" in result.stdout and "shard 1: completed" in result.stdout
    assert (sweep / "merged" / "manifest.json").exists()  # the default output: 'merged' beside the first run directory
    first = files(sweep / "merged")
    again = subprocess.run([*command, *(str(p) for p in sorted(sweep.iterdir())), "--formats", "jsonl"],
                           cwd=str(ROOT), capture_output=True, text=True, timeout=120)  # as a shell glob names them
    assert again.returncode == 0, again.stderr[-3000:]
    assert "skipping" in again.stderr and "multirun.yaml" in again.stderr
    assert files(sweep / "merged") == first
