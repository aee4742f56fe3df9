"""A misbehaving or dead model server through the real CLI: every fault ends in a clear result and
a documented exit code (apigen/exit_codes.py), never a traceback."""

from __future__ import annotations

import json
import time

import pytest
from datasets import load_from_disk

from conftest import TEST_DATA, FakeLLMServer, fake_llm_overrides, judge, pairs, read_jsonl, run_cli
from fake_llm_server import CONTEXT_LENGTH_400, ERROR_OBJECT_200, NO_CHOICES, closed_port_url

COMPLETED, ERROR, INCOMPLETE = 0, 1, 3


def _good(n: int) -> str:
    return pairs((f"What is {n} divided by 4?", [("divide", {"a": n, "b": 4})]))


def _run(tmp_run, server, *extra, samples=1, env_changes=None):
    return run_cli([*fake_llm_overrides(server), f"hydra.run.dir={tmp_run}", f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]",
                    "catalog.apis=[divide]", "sampler=simple_only", f"num_samples={samples}", "concurrency=1", *extra],
                   env_changes=env_changes)


def _manifest(tmp_run) -> dict:
    return json.loads((tmp_run / "manifest.json").read_text())


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_a_529_from_the_generator_and_the_judge_is_retried(tmp_run):
    with FakeLLMServer({"generator": [{"status": 529}, _good(10)], "judge": [{"status": 529}, judge(True)]}) as server:
        result = _run(tmp_run, server)
    assert result.returncode == COMPLETED, result.stderr[-3000:]
    assert _manifest(tmp_run)["counts"]["kept"] == 1


def test_refused_requests_are_recorded_for_their_sample_and_the_run_goes_on(tmp_run):
    script = [_good(10), CONTEXT_LENGTH_400, ERROR_OBJECT_200, _good(12)]
    with FakeLLMServer({"generator": script, "judge": [judge(True)]}) as server:
        result = _run(tmp_run, server, samples=4)
        assert result.returncode == COMPLETED, result.stderr[-3000:]
        asked = len(server.routed("generator"))
        assert asked == 4  # a refused request is not retried
        rerun = _run(tmp_run, server, samples=4)
        assert rerun.returncode == COMPLETED and len(server.routed("generator")) == asked  # refused samples are finished
    manifest = _manifest(tmp_run)
    assert manifest["status"] == "completed" and manifest["counts"]["kept"] == 2
    assert manifest["samples"]["finished"] == 4 and manifest["samples"]["request_errors"] == 2
    errors = read_jsonl(tmp_run / "errors.jsonl")
    assert len(errors) == 2 and "maximum context length" in errors[0]["completion"]["error"]
    assert {e["completion"]["error_kind"] for e in errors} == {"request"}
    assert "2 generation request(s) were refused" in result.stdout


def test_a_reply_without_choices_leaves_the_sample_for_a_rerun_and_exits_incomplete(tmp_run):
    with FakeLLMServer({"generator": [NO_CHOICES], "judge": [judge(True)]}) as server:
        result = _run(tmp_run, server)
    _no_traceback(result)
    assert result.returncode == INCOMPLETE
    assert _manifest(tmp_run)["status"] == "incomplete"
    assert "no choices" in read_jsonl(tmp_run / "errors.jsonl")[0]["completion"]["error"]
    with FakeLLMServer({"generator": [_good(10)], "judge": [judge(True)]}) as server:
        assert _run(tmp_run, server).returncode == COMPLETED


def test_lone_surrogates_in_model_text_are_stored_and_resumed(tmp_run):
    query = "What is 10 divided by 4? \ud800"
    reply = pairs((query, [("divide", {"a": 10, "b": 4})]))
    judged = json.dumps({"thought": "fine \udfff", "passed": True}, ensure_ascii=False)
    with FakeLLMServer({"generator": [reply, _good(11)], "judge": [judged]}) as server:
        result = _run(tmp_run, server)
        assert result.returncode == COMPLETED, result.stderr[-3000:]
        resumed = _run(tmp_run, server, samples=2)
        assert resumed.returncode == COMPLETED, resumed.stderr[-3000:]
    stored = read_jsonl(tmp_run / "candidates.jsonl")[0]["candidates"][0]["query"]
    assert stored == query  # kept exactly in the run files
    verdicts = read_jsonl(tmp_run / "verdicts.jsonl")
    assert verdicts[0]["kept"] and "fine \udfff" in json.dumps(verdicts[0], ensure_ascii=False)
    rows = load_from_disk(str(tmp_run / "dataset"))
    assert rows[0]["query"] == "What is 10 divided by 4? \ufffd"  # the dataset holds valid Unicode only


@pytest.mark.parametrize("route, stage, reason", [("judge", "semantic", "judge_error"), ("solver", "roundtrip", "solver_error")])
def test_a_verification_whose_model_calls_failed_is_asked_again_on_rerun(tmp_run, route, stage, reason):
    solver = json.dumps({"calls": [{"name": "divide", "arguments": {"a": 10, "b": 4}}]})
    fine = {"generator": [_good(10)], "judge": [judge(True)], "solver": [solver]}
    with FakeLLMServer({**fine, route: [{"status": 503}]}) as server:
        result = _run(tmp_run, server)
    assert result.returncode == INCOMPLETE, result.stderr[-3000:]
    manifest = _manifest(tmp_run)
    assert manifest["status"] == "incomplete" and manifest["samples"]["verify_errors"] == 1
    assert manifest["reasons"][stage] == {reason: 1}
    assert "rerun" in result.stdout

    with FakeLLMServer(fine) as server:
        rerun = _run(tmp_run, server)
        assert server.routed("generator") == []  # the sample is not generated again, only re-verified
        assert len(server.routed(route)) >= 1
    assert rerun.returncode == COMPLETED, rerun.stderr[-3000:]
    manifest = _manifest(tmp_run)
    assert manifest["counts"]["kept"] == 1 and manifest["samples"]["verify_errors"] == 0
    assert reason not in manifest["reasons"].get(stage, {})
    assert len(load_from_disk(str(tmp_run / "dataset"))) == 1


def test_a_missing_api_key_stops_the_run_before_it_starts(tmp_run):
    with FakeLLMServer({"generator": [_good(10)], "judge": [judge(True)]}) as server:
        started = time.perf_counter()
        result = _run(tmp_run, server, "llm.api_key=null", "llm.max_retries=3", "llm.retry_backoff_s=1",
                      env_changes={"OPENAI_API_KEY": None})
        assert server.requests == []
    _no_traceback(result)
    assert result.returncode == ERROR and time.perf_counter() - started < 60
    assert "openai/fake-model" in result.stderr and server.api_base in result.stderr
    assert "credentials" in result.stderr.lower()


def test_a_closed_port_stops_the_run_at_once_naming_the_url(tmp_run):
    url = closed_port_url()
    result = _run(tmp_run, url, "llm.max_retries=3", "llm.retry_backoff_s=5", samples=40)
    _no_traceback(result)
    assert result.returncode == ERROR
    assert url in result.stderr and "openai/fake-model" in result.stderr
    candidates = tmp_run / "candidates.jsonl"
    assert not candidates.exists() or read_jsonl(candidates) == []  # stopped before any sample


def test_an_endpoint_that_dies_during_the_run_stops_it_after_a_few_failed_calls(tmp_run):
    with FakeLLMServer({"generator": [_good(10), {"status": 503}], "judge": [judge(True)]}) as server:
        result = _run(tmp_run, server, "llm.max_consecutive_failures=3", samples=40)
        assert len(server.routed("generator")) == 1 + 3 * 2  # 3 failed calls of 2 attempts each, then stop
    _no_traceback(result)
    assert result.returncode == ERROR and "3 consecutive" in result.stderr and server.api_base in result.stderr
    assert _manifest(tmp_run)["status"] == "failed"
