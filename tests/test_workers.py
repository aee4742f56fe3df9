"""Worker processes (``workers: N``) produce exactly the rows of a one-process run, also when
they resume a run cut short; embedded models are refused."""

from __future__ import annotations

import gc
import hashlib
import json
import re
from pathlib import Path

import pytest
from test_resume_exact import overrides

from apigen.config import ConfigError
from apigen.runner import run

from conftest import FakeLLMServer, compose_config

NUM_SAMPLES = 8


def generator(request: dict) -> str:
    """A reply that is a function of the prompt alone, with queries no other prompt gets (so the
    dedup stage, whose order between processes is free, has nothing to decide)."""
    n = int(hashlib.sha256(json.dumps(request["messages"]).encode()).hexdigest(), 16) % 10**9
    return json.dumps({"pairs": [{"query": f"Divide {n} by {b}.", "answers": [{"name": "divide", "arguments": {"a": n, "b": b}}]}
                                 for b in (4, 8)]})


def judge(request: dict) -> str:
    """Rejects every "by 8" row: a fixed half of the rows, whatever numbers the prompts give."""
    numbers = re.search(r"Divide (\d+) by (\d+)", request["messages"][-1]["content"])
    return json.dumps({"thought": "ok", "passed": not numbers or numbers.group(2) != "8"})


def _config(server: FakeLLMServer, *extra: str):
    return compose_config([*overrides(server, *extra), f"num_samples={NUM_SAMPLES}"])


def _outcomes(run_dir: Path) -> dict[str, tuple]:
    """Each candidate's verdict, without timings and token counts (they differ between runs).
    Left out: candidates whose query another candidate repeats (two samples can get the same
    prompt here); which copy the dedup stage turns away depends on timing in one process too."""
    queries = [c["query"] for line in (run_dir / "candidates.jsonl").read_text().splitlines()
               for c in json.loads(line)["candidates"]]
    rows = (json.loads(line) for line in (run_dir / "verdicts.jsonl").read_text().splitlines())
    return {o["candidate_id"]: (o["sample_id"], o["index"], o["stage"], o["reason"], o["kept"]) for o in rows
            if queries.count(o["example"]["query"] if o["example"] else _query(run_dir, o["candidate_id"])) == 1}


def _rows(run_dir: Path) -> dict[str, list]:
    """The exported rows (both files, in order, without their running ids), less those whose query
    two samples share: samples given the same prompt get the same reply here, and two workers,
    whose dedup memories are their own, both keep it (documented in docs/SCALE.md)."""
    queries = [c["query"] for line in (run_dir / "candidates.jsonl").read_text().splitlines()
               for c in json.loads(line)["candidates"]]
    files = {"examples.jsonl": [json.loads(line) for line in (run_dir / "dataset" / "examples.jsonl").read_text().splitlines()],
             "examples.json": json.loads((run_dir / "dataset" / "examples.json").read_text())}
    return {name: [{k: v for k, v in row.items() if k != "id"} for row in rows if queries.count(row["query"]) == 1]
            for name, rows in files.items()}


def _query(run_dir: Path, candidate_id: str) -> str:
    for line in (run_dir / "candidates.jsonl").read_text().splitlines():
        for candidate in json.loads(line)["candidates"]:
            if candidate["candidate_id"] == candidate_id:
                return candidate["query"]
    raise KeyError(candidate_id)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("one_process")
    with FakeLLMServer({"generator": generator, "judge": judge}) as server:
        manifest = run(_config(server, "concurrency=1"), run_dir)
    assert manifest["counts"]["kept"] >= 4 and manifest["counts"]["failed_semantic"] >= 1
    return run_dir, _rows(run_dir), _outcomes(run_dir), manifest


def test_two_workers_make_exactly_the_rows_of_one_process(reference, tmp_path):
    ref_dir, ref_exports, ref_outcomes, ref_manifest = reference
    with FakeLLMServer({"generator": generator, "judge": judge}) as server:
        manifest = run(_config(server, "concurrency=4", "workers=2"), tmp_path / "workers")
        generator_calls = len(server.routed("generator"))
    assert manifest["status"] == "completed"
    assert _rows(tmp_path / "workers") == ref_exports and len(ref_exports["examples.jsonl"]) >= 2
    assert _outcomes(tmp_path / "workers") == ref_outcomes and len(ref_outcomes) >= 4
    kept_queries = [json.loads(line)["query"] for line in
                    (tmp_path / "workers" / "dataset" / "examples.jsonl").read_text().splitlines()]
    # kept once each, but for the copies of a reply that two workers both kept
    assert manifest["counts"]["kept"] - ref_manifest["counts"]["kept"] == len(kept_queries) - len(set(kept_queries))
    assert generator_calls == NUM_SAMPLES  # every sample generated once, by exactly one worker
    assert gc.get_freeze_count() > 0  # the run froze its start-up objects out of the collector's view
    gc.unfreeze()


def test_workers_resume_a_run_cut_short_to_the_same_rows(reference, tmp_path):
    ref_dir, ref_exports, ref_outcomes, _ = reference
    run_dir = tmp_path / "resumed"
    run_dir.mkdir()
    (run_dir / "manifest.json").write_bytes((ref_dir / "manifest.json").read_bytes())
    samples = (ref_dir / "candidates.jsonl").read_bytes().splitlines(keepends=True)
    kept_samples = samples[: NUM_SAMPLES // 2]
    (run_dir / "candidates.jsonl").write_bytes(b"".join(kept_samples))
    ids = {json.loads(line)["request"]["sample_id"] for line in kept_samples}
    verdicts = [line for line in (ref_dir / "verdicts.jsonl").read_bytes().splitlines(keepends=True)
                if json.loads(line)["sample_id"] in ids]
    (run_dir / "verdicts.jsonl").write_bytes(b"".join(verdicts[:-1]))  # the last sample lacks an outcome
    with FakeLLMServer({"generator": generator, "judge": judge}) as server:
        manifest = run(_config(server, "concurrency=4", "workers=3"), run_dir)
        redone = len(server.routed("generator"))
    gc.unfreeze()
    assert manifest["status"] == "completed"
    assert redone == NUM_SAMPLES - len(kept_samples) + 1  # the unfinished sample is generated again
    assert _rows(run_dir) == ref_exports


def test_workers_with_an_embedded_model_are_refused_before_anything_loads(tmp_path):
    with pytest.raises(ConfigError, match="workers=2: an embedded model"):
        run(compose_config(["workers=2"]), tmp_path / "run")


def test_workers_must_be_at_least_one(tmp_path):
    with pytest.raises(ConfigError, match="workers: must be >= 1"):
        run(compose_config(["workers=0"]), tmp_path / "run")
