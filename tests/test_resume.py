"""Rerunning into the same run directory skips finished samples and never duplicates examples."""

from __future__ import annotations

import itertools
import json

from datasets import load_from_disk

from conftest import FakeLLMServer, fake_llm_overrides, judge, pairs, read_jsonl, run_cli


def _generator():
    numbers = (i * 7 + 3 for i in itertools.count(2))  # a new query each time, stating its number

    def reply(_request: dict) -> str:
        n = next(numbers)
        return pairs((f"Is {n} a prime number?", [("is_prime", {"n": n})]))

    return reply


def _run(server, run_dir, *extra, exit_code=0):
    result = run_cli([*fake_llm_overrides(server), f"hydra.run.dir={run_dir}", "catalog.apis=[is_prime]",
                      "sampler=simple_only", "concurrency=1", *extra])
    assert result.returncode == exit_code, result.stderr[-3000:]
    return result


def _queries(run_dir):
    return [row["query"] for row in load_from_disk(str(run_dir / "dataset"))]


def test_rerun_skips_finished_samples_and_extends(tmp_run):
    with FakeLLMServer({"generator": _generator(), "judge": lambda r: judge(True)}) as server:
        _run(server, tmp_run, "num_samples=4")
        assert len(server.routed("generator")) == 4
        first = _queries(tmp_run)
        assert len(first) == 4

        result = _run(server, tmp_run, "num_samples=4")
        assert len(server.routed("generator")) == 4  # nothing was asked again
        assert "4 of 4 samples already finished" in result.stderr
        assert _queries(tmp_run) == first

        _run(server, tmp_run, "num_samples=6")
        assert len(server.routed("generator")) == 6  # only the two new samples
        queries = _queries(tmp_run)
        assert queries[:4] == first and len(queries) == 6 == len(set(queries))
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert manifest["counts"]["kept"] == 6 and manifest["samples"]["finished"] == 6


def test_a_killed_run_redoes_only_the_unfinished_sample(tmp_run):
    with FakeLLMServer({"generator": _generator(), "judge": lambda r: judge(True)}) as server:
        _run(server, tmp_run, "num_samples=3")
        # Simulate a kill after the last sample was generated but before its verdict was written,
        # with a half-written line at the end of the file.
        verdicts = (tmp_run / "verdicts.jsonl").read_text().splitlines(keepends=True)
        (tmp_run / "verdicts.jsonl").write_text("".join(verdicts[:-1]) + verdicts[-1][:25])
        _run(server, tmp_run, "num_samples=3")
        assert len(server.routed("generator")) == 4  # three, plus the one redone
    queries = _queries(tmp_run)
    assert len(queries) == 3 == len(set(queries))
    kept_ids = [o["candidate_id"] for o in read_jsonl_safe(tmp_run / "verdicts.jsonl") if o["kept"]]
    assert len(set(kept_ids)) == 3


def read_jsonl_safe(path):
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return rows


def test_resume_with_a_different_config_is_refused(tmp_run):
    with FakeLLMServer({"generator": _generator(), "judge": lambda r: judge(True)}) as server:
        _run(server, tmp_run, "num_samples=1")
        result = run_cli([*fake_llm_overrides(server), f"hydra.run.dir={tmp_run}", "catalog.apis=[is_prime]",
                          "sampler=simple_only", "num_samples=1", "seed=5"])
    assert result.returncode != 0
    assert "different configuration" in result.stderr
    assert len(read_jsonl(tmp_run / "candidates.jsonl")) == 1  # nothing was appended


def test_generation_errors_leave_samples_for_a_rerun(tmp_run):
    flaky = {"status": 503}
    with FakeLLMServer({"generator": [flaky, flaky, flaky, flaky, pairs(("Is 101 prime?", [("is_prime", {"n": 101})]))],
                        "judge": lambda r: judge(True)}) as server:
        result = _run(server, tmp_run, "num_samples=2", exit_code=3)  # 2 attempts per sample (max_retries=1): both fail
        assert "2 generation call(s) failed" in result.stdout
        manifest = json.loads((tmp_run / "manifest.json").read_text())
        assert manifest["status"] == "incomplete" and manifest["samples"]["generation_errors"] == 2
        assert len(read_jsonl(tmp_run / "errors.jsonl")) == 2
        _run(server, tmp_run, "num_samples=2")
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert manifest["samples"]["finished"] == 2 and manifest["status"] == "completed"
