"""API keys given on the command line never reach a file the run writes (apigen/redact.py)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from apigen.config import LLMConfig
from apigen.llm.client import LLMClient
from apigen.redact import REDACTED, redact_override, redact_text

from conftest import TEST_DATA, FakeLLMServer, fake_llm_overrides, judge, pairs, run_cli

SECRETS = {"llm.api_key": "sk-SECRET123", "judge.api_key": "sk-JUDGE456", "verifier.roundtrip.solver.api_key": "sk-SOLVER789"}


def _files_holding_a_secret(directory: Path) -> list[str]:
    found = []
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(directory)}: {s}" for s in SECRETS.values() if s.encode() in data]
    return found


def _args(server, *extra):
    return [*fake_llm_overrides(server), *(f"{k}={v}" for k, v in SECRETS.items()),
            f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]", "catalog.apis=[divide]", "sampler=simple_only",
            "num_samples=1", *extra]


def test_keys_on_the_command_line_are_redacted_in_every_file_of_a_run(tmp_run):
    with FakeLLMServer({"generator": [pairs(("What is 10 divided by 4?", [("divide", {"a": 10, "b": 4})]))],
                        "judge": [judge(True)]}) as server:
        result = run_cli(_args(server, f"hydra.run.dir={tmp_run}"))
        sent = server.requests[0]
    assert result.returncode == 0, result.stderr[-3000:]
    assert sent["model"] == "fake-model"  # the run did call the model, with the key
    assert _files_holding_a_secret(tmp_run) == []
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert f"llm.api_key={REDACTED}" in manifest["overrides"] and manifest["counts"]["kept"] == 1
    assert f"judge.api_key={REDACTED}" in (tmp_run / ".hydra" / "overrides.yaml").read_text()
    assert f"api_key: {REDACTED}" in (tmp_run / ".hydra" / "config.yaml").read_text()


def test_keys_are_redacted_in_a_multirun_too(tmp_path):
    with FakeLLMServer({"generator": [pairs(("What is 10 divided by 4?", [("divide", {"a": 10, "b": 4})]))],
                        "judge": [judge(True)]}) as server:
        result = run_cli(["-m", *_args(server, f"hydra.sweep.dir={tmp_path / 'sweep'}", "seed=1")])
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "sweep" / "multirun.yaml").exists() and (tmp_path / "sweep" / "0" / "manifest.json").exists()
    assert _files_holding_a_secret(tmp_path / "sweep") == []


def test_what_counts_as_a_secret():
    assert redact_override("llm.api_key=sk-1,2") == f"llm.api_key={REDACTED}"
    assert redact_override("+verifier.semantic.committee=[{model: m, api_key: sk-9}]") == \
        f"+verifier.semantic.committee=[{{model: m, api_key: {REDACTED}}}]"
    assert redact_override("llm.extra.extra_headers.Authorization=Bearer x") == f"llm.extra.extra_headers.Authorization={REDACTED}"
    assert redact_override("llm.max_tokens=5") == "llm.max_tokens=5"
    assert redact_text("judge.api_key=a,seed=1,hub_token=b") == f"judge.api_key={REDACTED},seed=1,hub_token={REDACTED}"
    assert redact_override("+llm.extra.extra_headers.X-Api-Key=k") == f"+llm.extra.extra_headers.X-Api-Key={REDACTED}"


def test_a_key_quoted_in_a_provider_error_is_redacted():
    quoting = {"status": 400, "body": {"error": {"message": "Incorrect API key provided: sk-SECRET123.", "type": "invalid_request_error"}}}
    with FakeLLMServer({"generator": [quoting]}) as server:
        cfg = LLMConfig(model="openai/fake-model", api_base=server.api_base, api_key="sk-SECRET123", max_retries=0)
        completion = asyncio.run(LLMClient(cfg).complete("s1", ({"role": "user", "content": "hi"},)))
    assert "Incorrect API key provided" in completion.error and "sk-SECRET123" not in completion.error


def test_keys_are_redacted_in_every_file_of_an_evaluation(tmp_path):
    rows = tmp_path / "rows.jsonl"
    tool = {"name": "divide", "description": "Divide.", "parameters": {"type": "object", "properties": {
        "a": {"type": "number", "description": "a"}, "b": {"type": "number", "description": "b"}}, "required": ["a", "b"]}}
    rows.write_text(json.dumps({"query": "10 / 4?", "tools": [tool], "answers": [{"name": "divide", "arguments": {"a": 10, "b": 4}}]}) + "\n")
    out = tmp_path / "eval"
    reply = {"content": "", "tool_calls": [{"name": "divide", "arguments": {"a": 10, "b": 4}}]}
    with FakeLLMServer({"model": [reply]}, router=lambda _r: "model") as server:
        result = subprocess.run([sys.executable, "-m", "apigen.eval", "llm=openai_compatible", f"llm.api_base={server.api_base}",
                                 "llm.model=openai/fake-model", f"llm.api_key={SECRETS['llm.api_key']}", "eval=file",
                                 f"eval.path={rows}", "eval.execute=false", "progress=false", f"hydra.run.dir={out}"],
                                capture_output=True, text=True, timeout=300)
        assert len(server.requests) == 1
    assert result.returncode == 0, result.stderr[-3000:]
    assert _files_holding_a_secret(out) == []
    assert f"llm.api_key={REDACTED}" in json.loads((out / "manifest.json").read_text())["overrides"]
