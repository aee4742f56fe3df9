"""A run killed at any moment and resumed gives exactly the rows of an uninterrupted run, byte for
byte, key order included; speed settings may change between the two."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apigen.runner import run

from conftest import ROOT, TEST_DATA, FakeLLMServer, compose_config, fake_llm_overrides, read_jsonl, run_cli

NUM_SAMPLES = 6
EXPORTS = ("examples.json", "examples.jsonl")


def generator(request: dict) -> str:
    """A reply that is a function of the prompt alone, so a redone sample gets the same reply.
    Arguments come in non-alphabetical order (b before a)."""
    prompt = request["messages"][-1]["content"]
    n = int(hashlib.sha256(prompt.encode()).hexdigest(), 16) % 1000 + 2
    pairs = [{"query": f"Divide {n + k} by 4.", "answers": [{"name": "divide", "arguments": {"b": 4, "a": n + k}}]}
             for k in range(2)]
    return json.dumps({"pairs": pairs})


def judge(request: dict) -> str:
    rejects = re.search(r"Divide (\d+) by 4", request["messages"][-1]["content"])
    return json.dumps({"thought": "ok", "passed": not rejects or int(rejects.group(1)) % 3 != 0})


def overrides(server: FakeLLMServer, *extra: str) -> list[str]:
    return [*fake_llm_overrides(server), f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]", "catalog.apis=[divide]",
            "sampler=simple_only", "sampler.queries_per_call.max=3", f"num_samples={NUM_SAMPLES}", "output=all_formats",
            *extra]


def exported(run_dir: Path) -> dict[str, bytes]:
    return {name: (run_dir / "dataset" / name).read_bytes() for name in EXPORTS}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run, its exports, and its write events in order (concurrency 1: each
    sample's candidates line, then its outcome lines)."""
    run_dir = tmp_path_factory.mktemp("reference")
    with FakeLLMServer({"generator": generator, "judge": judge}) as server:
        manifest = run(compose_config(overrides(server, "concurrency=1")), run_dir)
    assert manifest["counts"]["kept"] >= 3 and manifest["counts"]["failed_semantic"] >= 1
    rows = json.loads((run_dir / "dataset" / "examples.json").read_text())
    assert list(json.loads(rows[0]["answers"])[0]["arguments"]) == ["b", "a"]
    candidates = (run_dir / "candidates.jsonl").read_bytes().splitlines(keepends=True)
    verdicts = iter((run_dir / "verdicts.jsonl").read_bytes().splitlines(keepends=True))
    events = []
    for line in candidates:
        events.append(("candidates.jsonl", line))
        events += [("verdicts.jsonl", next(verdicts)) for _ in json.loads(line)["candidates"]]
    return run_dir, exported(run_dir), events


def test_every_kill_point_resumes_to_the_same_rows(reference, tmp_path):
    ref_dir, ref_exports, events = reference
    with FakeLLMServer({"generator": generator, "judge": judge}) as server:
        for cut in range(len(events)):
            for partial in (False, True):  # killed between two writes, or in the middle of one
                run_dir = tmp_path / f"cut{cut}{'p' if partial else ''}"
                run_dir.mkdir()
                (run_dir / "manifest.json").write_bytes((ref_dir / "manifest.json").read_bytes())
                for name in ("candidates.jsonl", "verdicts.jsonl"):
                    (run_dir / name).write_bytes(b"".join(line for f, line in events[:cut] if f == name))
                if partial:
                    name, line = events[cut]
                    with (run_dir / name).open("ab") as handle:
                        handle.write(line[: len(line) // 2])
                # resumed with other speed settings than the reference run; concurrency stays 1 because
                # which of two identical queries is kept depends on completion order (docs/VERIFICATION.md)
                manifest = run(compose_config(overrides(server, "concurrency=1", "verifier.execution.workers=1",
                                                        "llm.timeout_s=30")), run_dir)
                assert exported(run_dir) == ref_exports, (cut, partial)
                assert manifest["counts"] == json.loads((ref_dir / "manifest.json").read_text())["counts"], (cut, partial)


def test_a_real_kill_then_resume_gives_the_same_rows(reference, tmp_path):
    _, ref_exports, _ = reference
    run_dir = tmp_path / "run"
    with FakeLLMServer({"generator": generator, "judge": judge}, latency_s=0.15) as server:
        args = [*overrides(server, "concurrency=1"), f"hydra.run.dir={run_dir}"]
        process = subprocess.Popen([sys.executable, "-m", "apigen", *args], cwd=str(ROOT), start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(read_jsonl_lines(run_dir / "verdicts.jsonl")) < 3:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert len(read_jsonl_lines(run_dir / "verdicts.jsonl")) > 0, "the run was killed before it wrote anything"
        result = run_cli(args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "already finished" in result.stderr
    assert exported(run_dir) == ref_exports


def read_jsonl_lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines() if path.exists() else []


def test_resume_accepts_new_speed_settings_and_another_endpoint(reference, tmp_path):
    run_dir = tmp_path / "run"
    with FakeLLMServer({"generator": generator, "judge": judge}) as first:
        result = run_cli([*overrides(first, "num_samples=2"), f"hydra.run.dir={run_dir}"])
        assert result.returncode == 0, result.stderr[-3000:]
    with FakeLLMServer({"generator": generator, "judge": judge}) as second:  # another port
        result = run_cli([*overrides(second, "num_samples=3", "concurrency=7", "verifier.execution.workers=3",
                                     "llm.timeout_s=30", "llm.api_key=other", "output.progress=true"),
                          f"hydra.run.dir={run_dir}"])
        assert result.returncode == 0, result.stderr[-3000:]
        assert "2 of 3 samples already finished" in result.stderr
        assert len(second.routed("generator")) == 1
    assert len(read_jsonl(run_dir / "candidates.jsonl")) == 3
