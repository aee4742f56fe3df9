"""The whole pipeline through the real CLI, against a real HTTP fake of an OpenAI-compatible server."""

from __future__ import annotations

import json

from datasets import load_from_disk

from conftest import TEST_DATA, FakeLLMServer, fake_llm_overrides, judge, pairs, read_jsonl, run_cli
from fake_llm_server import solver_query

GOOD = "What is 10 divided by 4?"
NOT_OFFERED = "Round 3.14159 to two digits."
WRONG_TYPE = "Divide ten by two."
RAISES = "What is 1 divided by 0?"
JUDGED_OUT = "How much is 9 divided by 3, REJECT please?"

GENERATOR_SCRIPT = [
    pairs((GOOD, [("divide", {"a": 10, "b": 4})])),
    "Sure! Here are some great queries for you: 1. divide ten by two",
    pairs((NOT_OFFERED, [("round_number", {"value": 3.14159, "digits": 2})])),
    pairs((WRONG_TYPE, [("divide", {"a": "ten", "b": 2})])),
    pairs((RAISES, [("divide", {"a": 1, "b": 0})])),
    pairs((JUDGED_OUT, [("divide", {"a": 9, "b": 3})])),
]


def judge_script(request: dict) -> str:
    prompt = request["messages"][-1]["content"]
    return judge(passed="REJECT" not in prompt, thought="the call matches" if "REJECT" not in prompt else "query asks to reject")


def _run(tmp_run, server, extra=()):
    return run_cli([
        *fake_llm_overrides(server), f"hydra.run.dir={tmp_run}", f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]",
        "catalog.apis=[divide]", "sampler=simple_only", "num_samples=6", "concurrency=1", *extra,
    ])


def test_each_failure_lands_at_its_stage_and_only_the_good_example_is_kept(tmp_run):
    with FakeLLMServer({"generator": GENERATOR_SCRIPT, "judge": judge_script}) as server:
        result = _run(tmp_run, server)
        judge_prompts = [r["messages"][-1]["content"] for r in server.routed("judge")]
    assert result.returncode == 0, result.stderr[-3000:]

    outcomes = read_jsonl(tmp_run / "verdicts.jsonl")
    by_query = {o["example"]["query"] if o["example"] else None: o for o in outcomes}
    assert len(outcomes) == 6
    landed = {}
    for sample in read_jsonl(tmp_run / "candidates.jsonl"):
        for cand in sample["candidates"]:
            outcome = next(o for o in outcomes if o["candidate_id"] == cand["candidate_id"])
            landed[cand["query"] or "<unparseable>"] = (outcome["stage"], outcome["reason"], outcome["detail"])

    assert landed[GOOD][:2] == ("kept", "ok")
    assert landed["<unparseable>"][:2] == ("format", "invalid_json")
    assert landed[NOT_OFFERED][:2] == ("format", "unknown_function")
    assert "round_number" in landed[NOT_OFFERED][2]
    assert landed[WRONG_TYPE][:2] == ("format", "wrong_argument_type")
    assert "argument 'a'" in landed[WRONG_TYPE][2]
    assert landed[RAISES][:2] == ("execution", "runtime_error")
    assert "ZeroDivisionError" in landed[RAISES][2]
    assert landed[JUDGED_OUT][:2] == ("semantic", "judge_rejected")
    assert by_query[GOOD]["kept"] is True

    # The judge saw the tools, the query, the calls and the execution result (10 / 4 = 2.5).
    good_prompt = next(p for p in judge_prompts if GOOD in p)
    assert '"divide"' in good_prompt and "2.5" in good_prompt
    assert len(judge_prompts) == 2  # only candidates that passed stages 1 and 2 reach the judge

    dataset = load_from_disk(str(tmp_run / "dataset"))
    assert dataset.column_names == ["id", "query", "tools", "answers"]
    assert dataset.num_rows == 1
    row = dataset[0]
    assert row["query"] == GOOD
    assert json.loads(row["answers"]) == [{"name": "divide", "arguments": {"a": 10, "b": 4}}]
    tools = json.loads(row["tools"])
    assert tools[0]["name"] == "divide" and tools[0]["parameters"]["a"]["type"] == "float"
    assert json.loads((tmp_run / "dataset" / "examples.json").read_text()) == [dict(row)]

    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert manifest["status"] == "completed"
    assert manifest["counts"] == {"generated": 6, "failed_format": 3, "failed_dedup": 0, "failed_decontaminate": 0, "failed_execution": 1,
                                  "failed_grounding": 0, "failed_roundtrip": 0, "failed_semantic": 1, "kept": 1}
    assert manifest["reasons"]["format"] == {"invalid_json": 1, "unknown_function": 1, "wrong_argument_type": 1}
    assert manifest["usage"]["prompt_tokens"] > 0 and manifest["usage"]["by_role"]["semantic"]["completion_tokens"] > 0
    assert manifest["versions"]["litellm"] and manifest["digests"]["run"] and manifest["digests"]["generation"]
    # The paper's Table 1, printed at the end.
    assert "format" in result.stdout and "50.0%" in result.stdout and "Kept 1 example(s)" in result.stdout
    assert (tmp_run / "report.md").read_text().count("judge_rejected") == 1


def test_stages_can_be_switched_off(tmp_run):
    with FakeLLMServer({"generator": GENERATOR_SCRIPT, "judge": judge_script}) as server:
        result = _run(tmp_run, server, ["verifier.stages=[format,dedup]"])
        assert server.routed("judge") == []
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    # Without execution and judging, the division by zero and the judged-out query are kept.
    assert manifest["counts"]["kept"] == 3
    assert set(manifest["counts"]) == {"generated", "failed_format", "failed_dedup", "kept"}
    assert [s["stage"] for s in manifest["stages"]] == ["format", "dedup"]


INVENTED = "Split the bill of 90 between the friends."


def test_the_default_chain_rejects_an_invented_number_before_asking_the_solver(tmp_run):
    generator = [pairs((GOOD, [("divide", {"a": 10, "b": 4})])),
                 pairs((INVENTED, [("divide", {"a": 90, "b": 3})]))]  # 3 friends: nowhere in the query

    def solver(request: dict) -> str:
        assert solver_query(request) == GOOD  # the invented candidate never reaches the solver
        return json.dumps({"calls": [{"name": "divide", "arguments": {"a": 10, "b": 4}}]})

    with FakeLLMServer({"generator": generator, "solver": solver, "judge": judge_script}) as server:
        # The default stages and grounding mode (_run itself adds the judge's chain).
        result = _run(tmp_run, server, ["verifier.stages=[format,dedup,execution,grounding,roundtrip]", "num_samples=2"])
        assert server.routed("judge") == [] and len(server.routed("solver")) == 2  # k=2 answers, one candidate
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = list(read_jsonl(tmp_run / "verdicts.jsonl"))
    assert [o["example"]["query"] for o in outcomes if o["kept"]] == [GOOD]
    invented = next(o for o in outcomes if not o["kept"])
    assert (invented["stage"], invented["reason"]) == ("grounding", "ungrounded_number")
    assert invented["detail"] == "not found in the query: call 0 divide.b: 3"
    assert [v["stage"] for v in invented["verdicts"]] == ["format", "dedup", "execution", "grounding"]


def test_the_solver_rejects_what_it_answers_otherwise_and_grounding_flags_untraced_values(tmp_run):
    generator = [pairs((GOOD, [("divide", {"a": 10, "b": 4})])),
                 pairs((INVENTED, [("divide", {"a": 90, "b": 3})]))]  # 3 friends: nowhere in the query

    def solver(request: dict) -> str:  # reads only the query, never the calls
        query = solver_query(request)
        answer = {"a": 10, "b": 4} if query == GOOD else {"a": 90, "b": 2}
        return json.dumps({"calls": [{"name": "divide", "arguments": answer}]})

    flagging_chain = ["verifier.stages=[format,dedup,execution,grounding,roundtrip]", "verifier.grounding.mode=flag"]
    with FakeLLMServer({"generator": generator, "solver": solver, "judge": judge_script}) as server:
        result = _run(tmp_run, server, [*flagging_chain, "num_samples=2"])
        assert server.routed("judge") == [] and len(server.routed("solver")) == 4  # k=2 answers per candidate
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = {o["candidate_id"]: o for o in read_jsonl(tmp_run / "verdicts.jsonl")}
    kept = [o for o in outcomes.values() if o["kept"]]
    assert [o["example"]["query"] for o in kept] == [GOOD]
    invented = next(o for o in outcomes.values() if not o["kept"])
    assert (invented["stage"], invented["reason"]) == ("roundtrip", "solver_disagrees")
    assert "'b'" in invented["detail"] and '"b": 2' in invented["detail"]
    grounding = next(v for v in invented["verdicts"] if v["stage"] == "grounding")
    assert grounding["passed"] and grounding["data"]["untraced"] == {"call 0 divide.b": [3]}  # flagged, not rejected
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert manifest["counts"]["failed_roundtrip"] == 1 and manifest["usage"]["by_role"]["roundtrip"]["calls"] == 4
