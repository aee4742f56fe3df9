"""``python -m apigen.eval`` end to end through the real CLI, against the real HTTP fake of an
OpenAI server: native tool calls and the prompt form, BFCL's data, files, a run's held-out split,
execution match in the real sandbox, resume and refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from apigen.bfcl.data import load_category, reference_calls
from apigen.eval.items import in_test_split
from apigen.records import Example, Outcome, ToolCall

from conftest import ROOT, read_jsonl
from fake_llm_server import FakeLLMServer


def run_eval(args: list[str], cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, HYDRA_FULL_ERROR="0", PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "apigen.eval", *args], cwd=str(cwd), capture_output=True, text=True,
                          timeout=timeout, env=env)


def model_overrides(server: FakeLLMServer, out: Path) -> list[str]:
    return ["llm=openai_compatible", f"llm.api_base={server.api_base}", "llm.model=openai/fake-model",
            "llm.max_retries=0", "progress=false", f"hydra.run.dir={out}"]


def _user_text(request: dict) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def test_native_bfcl_scores_tool_calls_and_relevance(tmp_path: Path) -> None:
    simple = {i.question: i for i in load_category("simple_python")}
    irrelevant = [i.question for i in load_category("irrelevance")]
    answered: list[dict] = []

    def reply(request: dict) -> dict[str, Any]:
        answered.append(request)
        sent = {t["function"]["name"] for t in request["tools"]}
        query = _user_text(request)
        if query in simple:
            calls = [c.to_dict() for c in reference_calls(simple[query])]
            name = calls[0]["name"].replace(".", "_")  # the name as it was sent
            assert name in sent
            if len(answered) % 2:  # every other simple item gets a wrong value
                calls[0]["arguments"] = {k: "wrong" for k in calls[0]["arguments"]}
            return {"content": "", "tool_calls": [{"name": name, "arguments": calls[0]["arguments"]}]}
        assert query in irrelevant
        return {"content": "None of the functions fits."} if len(answered) % 2 else \
            {"content": "", "tool_calls": [{"name": sorted(sent)[0], "arguments": {}}]}

    out = tmp_path / "eval"
    with FakeLLMServer({"model": reply}, router=lambda request: "model") as server:
        done = run_eval([*model_overrides(server, out), "eval.categories=[simple,irrelevance]", "eval.limit=4", "concurrency=1"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    results = read_jsonl(out / "results.jsonl")
    assert len(results) == 8 and all("tools" in r for r in answered)
    by_category: dict[str, list[dict]] = {}
    for r in results:
        by_category.setdefault(r["category"], []).append(r)
    assert sum(r["score"]["ast"] for r in by_category["simple_python"]) == 2
    assert sum(r["score"]["ast"] for r in by_category["irrelevance"]) == 2
    assert {r["score"]["reason"] for r in results if not r["score"]["ast"]} <= {"value_mismatch", "type_mismatch", "unexpected_call"}
    # Answers are recorded under the item's own function names, not the names sent.
    assert all("." in c["name"] or "_" in c["name"] for r in by_category["simple_python"] for c in r["answer"]["calls"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed" and manifest["summary"]["categories"]["irrelevance"]["ast_accuracy"] == 0.5
    assert "| simple_python | 4 | 50.0% |" in (out / "summary.md").read_text()
    assert "| irrelevance | 4 | 50.0% | 50.0% |" in done.stdout


def _write_file_rows(path: Path) -> None:
    prime = {"name": "is_prime", "description": "Check whether an integer is a prime number.",
             "parameters": {"n": {"type": "int", "description": "The integer to test."}}}
    fib = {"type": "function", "function": {"name": "fibonacci_number", "description": "The n-th Fibonacci number.",
                                            "parameters": {"type": "object", "properties": {"n": {"type": "integer", "description": "Index."}},
                                                           "required": ["n"]}}}
    rows = [
        {"id": "a", "query": "Is 29 prime?", "tools": json.dumps([prime]), "answers": json.dumps([{"name": "is_prime", "arguments": {"n": 29}}])},
        {"id": "b", "query": "Is 91 prime?", "tools": [prime], "answers": [{"name": "is_prime", "arguments": {"n": 91}}]},
        {"id": "c", "messages": [{"role": "user", "content": "What is the 10th Fibonacci number?"},
                                 {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "fibonacci_number", "arguments": "{\"n\": 10}"}}]}],
         "tools": [fib]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_prompt_mode_on_a_file_with_execution_match(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    _write_file_rows(data)
    replies = {"Is 29 prime?": [{"name": "is_prime", "arguments": {"n": 31}}],  # wrong value, same result
               "Is 91 prime?": [{"name": "is_prime", "arguments": {"n": 91}}],
               "What is the 10th Fibonacci number?": [{"name": "fibonacci_number", "arguments": {"n": 11}}]}

    def reply(request: dict) -> str:
        prompt = request["messages"][-1]["content"]
        query = prompt.split("User request:\n", 1)[1].split("\n\n", 1)[0].strip()
        assert "tools" not in request and "make no call" in request["messages"][0]["content"]
        return json.dumps({"calls": replies[query]})

    out = tmp_path / "eval"
    with FakeLLMServer({"model": reply}, router=lambda request: "model") as server:
        done = run_eval([*model_overrides(server, out), "eval=file", f"eval.path={data}", "eval.mode=prompt"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    scores = {r["id"]: r["score"] for r in read_jsonl(out / "results.jsonl")}
    assert scores["a"]["ast"] is False and scores["a"]["executed"] is True  # is_prime(31) == is_prime(29)
    assert scores["b"]["ast"] is True and scores["b"]["executed"] is True
    assert scores["c"]["ast"] is False and scores["c"]["executed"] is False  # F(11) != F(10)
    summary = json.loads((out / "manifest.json").read_text())["summary"]
    assert summary["categories"]["simple"]["execution_accuracy"] == round(2 / 3, 4)


def _write_run(run_dir: Path, count: int) -> list[str]:
    tool = {"name": "is_prime", "description": "Check whether an integer is a prime number.",
            "parameters": {"type": "object", "properties": {"n": {"type": "integer", "description": "The integer."}}, "required": ["n"]}}
    lines, ids = [], []
    for i in range(count):
        cid = f"cand-{i}"
        example = Example(cid, f"s{i}", f"Is {i} a prime number?", (tool,), (ToolCall("is_prime", {"n": i}),))
        lines.append(Outcome(cid, f"s{i}", i, 0, 0, True, "kept", "", example=example).to_json())
        lines.append(Outcome(f"rej-{i}", f"s{i}", i, 1, 0, False, "format", "missing_field").to_json())
        ids.append(cid)
    run_dir.mkdir(parents=True)
    (run_dir / "verdicts.jsonl").write_text("\n".join(lines) + "\n")
    return ids


def test_run_split_resume_and_refused_settings(tmp_path: Path) -> None:
    ids = _write_run(tmp_path / "run", 30)
    held_out = [i for i in ids if in_test_split(i, 0.3)]
    assert 0 < len(held_out) < len(ids)

    def reply(request: dict) -> dict:
        n = int(_user_text(request).split()[1])
        return {"content": "", "tool_calls": [{"name": "is_prime", "arguments": {"n": n}}]}

    out = tmp_path / "eval"
    with FakeLLMServer({"model": reply}, router=lambda request: "model") as server:
        args = [*model_overrides(server, out), "eval=run", f"eval.path={tmp_path / 'run'}", "eval.test_fraction=0.3"]
        first = run_eval(args, tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        assert sorted(r["id"] for r in read_jsonl(out / "results.jsonl")) == sorted(held_out)
        asked = len(server.requests)
        again = run_eval(args, tmp_path)
        assert again.returncode == 0 and "already answered" in again.stderr
        assert len(server.requests) == asked  # nothing asked twice
        other = run_eval([*args, "eval.mode=prompt"], tmp_path)
    assert other.returncode != 0 and "other settings (mode, template)" in other.stderr and "Traceback" not in other.stderr
    summary = json.loads((out / "manifest.json").read_text())["summary"]
    assert summary["overall"]["ast_accuracy"] == 1.0 and summary["overall"]["executable"] == len(held_out)


def test_bad_settings_fail_with_a_message(tmp_path: Path) -> None:
    cases = [
        (["eval.mode=guess"], "eval.mode: must be one of"),
        (["eval.categories=[simple_cobol]"], "unknown BFCL category 'simple_cobol'"),
        (["eval=file", f"eval.path={tmp_path / 'none.jsonl'}"], "no file"),
        (["eval.limit=0"], "eval.limit: must be >= 1"),
        (["hydra.run.dir=/proc/apigen-eval"], "hydra.run.dir: cannot write"),
        (["eval.limit=1", "eval.categories=[simple]"], "http://127.0.0.1:9/v1"),  # the preflight names the dead URL
    ]
    for args, message in cases:
        done = run_eval([f"hydra.run.dir={tmp_path / 'out'}", *args, "llm=openai_compatible", "llm.api_base=http://127.0.0.1:9/v1",
                         "llm.model=openai/x"], tmp_path)
        assert done.returncode != 0 and message in done.stderr, (args, done.stderr[-1500:])
        assert "Traceback" not in done.stderr


def test_failed_model_calls_make_the_run_incomplete_and_are_asked_again(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    _write_file_rows(data)
    out = tmp_path / "eval"
    failing = {"status": 503}
    with FakeLLMServer({"model": [failing]}, router=lambda request: "model") as server:
        first = run_eval([*model_overrides(server, out), "eval=file", f"eval.path={data}", "llm.max_consecutive_failures=0"], tmp_path)
    assert first.returncode == 3, first.stderr[-2000:]
    assert {r["score"]["reason"] for r in read_jsonl(out / "results.jsonl")} == {"model_error"}
    right = {"Is 29 prime?": 29, "Is 91 prime?": 91}

    def reply(request: dict) -> dict:
        query = _user_text(request)
        if query in right:
            return {"content": "", "tool_calls": [{"name": "is_prime", "arguments": {"n": right[query]}}]}
        return {"content": "", "tool_calls": [{"name": "fibonacci_number", "arguments": {"n": 10}}]}

    with FakeLLMServer({"model": reply}, router=lambda request: "model") as server:
        second = run_eval([*model_overrides(server, out), "eval=file", f"eval.path={data}", "llm.max_consecutive_failures=0"], tmp_path)
        assert len(server.requests) == 3  # every failed item asked again
    assert second.returncode == 0, second.stderr[-2000:]
    assert json.loads((out / "manifest.json").read_text())["summary"]["overall"]["ast_accuracy"] == 1.0


def test_model_text_of_any_kind_is_stored_and_a_cut_line_is_answered_again(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    _write_file_rows(data)
    out = tmp_path / "eval"

    def reply(request: dict) -> dict:  # a lone UTF-16 surrogate in an argument: valid JSON, invalid UTF-8
        return {"content": "", "tool_calls": [{"name": "is_prime", "arguments": {"n": "\ud800"}}]}

    with FakeLLMServer({"model": reply}, router=lambda request: "model") as server:
        args = [*model_overrides(server, out), "eval=file", f"eval.path={data}"]
        first = run_eval(args, tmp_path)
        assert first.returncode == 0, first.stderr[-2000:]
        results = read_jsonl(out / "results.jsonl")
        assert [r["answer"]["calls"][0]["arguments"]["n"] for r in results] == ["\ud800"] * 3
        lines = (out / "results.jsonl").read_bytes().splitlines(keepends=True)
        (out / "results.jsonl").write_bytes(b"".join(lines[:2]) + lines[2][:40])  # a kill cut the last line
        asked = len(server.requests)
        second = run_eval(args, tmp_path)
        assert second.returncode == 0, second.stderr[-2000:]
        assert len(server.requests) == asked + 1  # only the cut item is asked again
    assert sorted(r["id"] for r in read_jsonl_lenient(out / "results.jsonl")) == ["a", "b", "c"]


def read_jsonl_lenient(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            pass
    return rows


def test_evaluate_config_composes_with_the_generation_llm_group() -> None:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from apigen.config import EvalRunConfig

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3", job_name="eval"):
        dcfg = compose(config_name="evaluate", overrides=["llm=openai", "eval=bfcl_live"])
    cfg = OmegaConf.to_object(dcfg)
    assert isinstance(cfg, EvalRunConfig)
    assert cfg.llm.model == "openai/gpt-4o-mini" and cfg.eval.categories[0] == "live_simple"


def test_split_writes_train_and_the_same_held_out_rows_eval_reads(tmp_path: Path) -> None:
    from apigen.eval.items import file_items
    from apigen.eval.split import main as split_main

    ids = _write_run(tmp_path / "run", 40)
    held_out = {f"Is {i.split('-')[1]} a prime number?" for i in ids if in_test_split(i, 0.25)}
    for fmt in ("openai", "xlam", "sharegpt"):
        assert split_main([str(tmp_path / "run"), "--test-fraction", "0.25", "--format", fmt]) == 0
        folder = tmp_path / "run" / "splits" / fmt
        train, test = read_jsonl(folder / "train.jsonl"), read_jsonl(folder / "test.jsonl")
        assert len(train) + len(test) == 40 and len(test) == len(held_out)
        if fmt != "sharegpt":  # eval=file reads the openai and xlam rows back
            items = file_items(folder / "test.jsonl")
            assert {i.query for i in items} == held_out and all(i.reference[0].name == "is_prime" for i in items)
    row = read_jsonl(tmp_path / "run" / "splits" / "sharegpt" / "train.jsonl")[0]
    assert row["conversations"][1]["from"] == "function_call" and json.loads(row["tools"])[0]["name"] == "is_prime"
    assert split_main([str(tmp_path / "missing")]) == 2
