"""python -m apigen.reverify against a real HTTP fake server: a finished run's candidates are
verified again with a changed chain into a new directory, with zero generation requests, and
the run directory itself is left as it was."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, TEST_DATA, FakeLLMServer, fake_llm_overrides, judge, pairs, read_jsonl, run_cli

GOOD = "What is 10 divided by 4?"
REJECT = "Divide 9 by 3, REJECT please"
OTHER = "What is 8 divided by 2?"
GENERATOR = [pairs((GOOD, [("divide", {"a": 10, "b": 4})])), pairs((REJECT, [("divide", {"a": 9, "b": 3})])),
             pairs((OTHER, [("divide", {"a": 8, "b": 2})]))]
DEFAULT_CHAIN = "verifier.stages=[format,dedup,execution,grounding,roundtrip]"


def judge_script(request: dict) -> str:
    return judge(passed="REJECT" not in request["messages"][-1]["content"])


def reverify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "apigen.reverify", *args], cwd=str(ROOT), capture_output=True,
                          text=True, timeout=180)


def _first_run(run_dir, cache_dir):
    with FakeLLMServer({"generator": GENERATOR, "judge": judge_script}) as server:
        result = run_cli([*fake_llm_overrides(server), f"hydra.run.dir={run_dir}",
                          f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]", "catalog.apis=[divide]", "sampler=simple_only",
                          "num_samples=3", "concurrency=1", DEFAULT_CHAIN, "llm.cache=true", f"llm.cache_dir={cache_dir}"])
        assert len(server.routed("generator")) == 3 and server.routed("judge") == []
    assert result.returncode == 0, result.stderr[-3000:]
    return server.api_base


def test_a_changed_chain_gives_changed_verdicts_without_generating_and_the_run_is_kept(tmp_path):
    run_dir, cache_dir = tmp_path / "run", tmp_path / "cache"
    _first_run(run_dir, cache_dir)
    kept_before = sorted(o["example"]["query"] for o in read_jsonl(run_dir / "verdicts.jsonl") if o["kept"])
    assert kept_before == sorted([GOOD, REJECT, OTHER])
    files_before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}

    with FakeLLMServer({"generator": ["never served"], "judge": judge_script}) as server:
        # The old server is gone: the new api_base is given, as any changed speed setting may be.
        result = reverify(str(run_dir), f"llm.api_base={server.api_base}",
                          "verifier.stages=[format,dedup,execution,grounding,roundtrip,semantic]")
        assert server.routed("generator") == []  # nothing generated
        assert server.routed("solver") == []  # the round-trip answers came from the cache
        assert len(server.routed("judge")) == 3  # the new stage asked its model
    assert result.returncode == 0, result.stderr[-3000:]

    (target,) = list((run_dir / "reverified").iterdir())
    outcomes = read_jsonl(target / "verdicts.jsonl")
    assert sorted(o["example"]["query"] for o in outcomes if o["kept"]) == sorted([GOOD, OTHER])
    rejected = next(o for o in outcomes if not o["kept"])
    assert (rejected["stage"], rejected["reason"]) == ("semantic", "judge_rejected")
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["status"] == "completed" and manifest["reverified_from"] == str(run_dir)
    assert manifest["counts"]["kept"] == 2 and manifest["counts"]["failed_semantic"] == 1
    assert [s["stage"] for s in manifest["stages"]][-1] == "semantic"
    assert json.loads((target / "dataset" / "examples.json").read_text())[0]["query"] in (GOOD, OTHER)
    assert "semantic" in (target / ".hydra" / "overrides.yaml").read_text()
    # The run itself is untouched.
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == files_before


def test_reverify_refuses_changed_generation_settings_and_an_existing_target(tmp_path):
    run_dir, cache_dir = tmp_path / "run", tmp_path / "cache"
    api_base = _first_run(run_dir, cache_dir)
    changed = reverify(str(run_dir), "seed=5", f"llm.api_base={api_base}")
    assert changed.returncode == 1 and "generation settings differ" in changed.stderr
    assert "Traceback" not in changed.stderr
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("keep me")
    taken = reverify(str(run_dir), "--out", str(tmp_path / "taken"))
    assert taken.returncode == 1 and "not empty" in taken.stderr and (tmp_path / "taken" / "x").read_text() == "keep me"
    missing = reverify(str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "not a run directory" in missing.stderr and not (tmp_path / "nowhere").exists()


def test_apigen_reverify_is_the_same_command(tmp_path):
    result = run_cli(["reverify", "--help"])
    assert result.returncode == 0 and "usage: apigen reverify" in result.stdout
