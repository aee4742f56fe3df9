"""The adversarial catalog through the real pipeline: generator and judge on a fake HTTP server,
execution in real sandbox workers. Every misbehaving call is classified, the run finishes, and
the good examples are kept."""

from __future__ import annotations

import json

from apigen.runner import run

from conftest import ADVERSARIAL, compose_config, fake_llm_overrides, judge, pairs
from fake_llm_server import FakeLLMServer

# (function, arguments, expected execution code); None: the call succeeds.
CASES = [
    ("good_add", {"a": 2, "b": 3}, None),
    ("shout", {"text": "hello"}, None),
    ("hang", {"seconds": 60.0}, "timeout"),
    ("spin", {"seconds": 60.0}, "cpu_limit"),
    ("memory_bomb", {"megabytes": 4096}, "memory_limit"),
    ("segfault", {"address": 0}, "crashed"),
    ("call_sys_exit", {"status": 3}, "exited"),
    ("call_os_exit", {"status": 4}, "exited"),
    ("recurse", {"depth": 0}, "recursion_limit"),
    ("huge_output", {"megabytes": 8}, "output_too_large"),
    ("huge_print", {"megabytes": 8}, "output_too_large"),
    ("network_call", {"port": 9}, "network_blocked"),
    ("swallow_network", {"host": "localhost"}, "network_blocked"),
    ("fork_bomb", {"limit": 500, "tally": "/dev/null"}, "process_limit"),
]


def test_adversarial_catalog_end_to_end(tmp_path):
    cases = CASES
    # The query states the arguments, so grounding traces them and each case reaches execution.
    reply = pairs(*[(f"Please run {name} number {i} with {json.dumps(args)}.", [(name, args)])
                    for i, (name, args, _) in enumerate(cases)])
    with FakeLLMServer({"generator": [reply], "judge": [judge(True)]}) as server:
        cfg = compose_config(fake_llm_overrides(server.api_base) + [
            f"catalog.paths=[{ADVERSARIAL}]", "sampler=simple_only", "num_samples=1",
            "sampler.styles.simple=0", "sampler.styles.multiple=1",
            "sampler.apis_per_prompt.min=50", "sampler.apis_per_prompt.max=50",
            # the wall clock leaves the CPU limit room to act while a fork bomb shares the machine
            "verifier.execution.timeout_s=3", "verifier.execution.cpu_time_s=1.5",
            "verifier.execution.memory_mb=256", "verifier.execution.max_result_chars=2000",
        ])
        manifest = run(cfg, tmp_path / "run")
        judge_prompts = [json.dumps(r["messages"]) for r in server.routed("judge")]

    assert manifest["status"] == "completed"
    outcomes = [json.loads(line) for line in (tmp_path / "run" / "verdicts.jsonl").read_text().splitlines()]
    assert len(outcomes) == len(cases)
    by_query = {o["candidate_id"]: o for o in outcomes}
    for i, (name, _args, code) in enumerate(cases):
        outcome = next(o for cid, o in by_query.items() if cid.endswith(f"-{i}"))
        if code is None:
            assert outcome["kept"], (name, outcome["reason"], outcome["detail"])
        else:
            assert (outcome["stage"], outcome["reason"]) == ("execution", code), (name, outcome["detail"])
    assert len(judge_prompts) == 2  # only the two good calls reach the judge
    shout_prompt = next(p for p in judge_prompts if "shout" in p and "HELLO" in p)
    # the judge sees the tool specs, the query, the calls, the results and the captured output
    assert "Upper-case a text" in shout_prompt and "shouting 5 characters" in shout_prompt

    rows = json.loads((tmp_path / "run" / "dataset" / "examples.json").read_text())
    assert sorted(json.loads(r["answers"])[0]["name"] for r in rows) == ["good_add", "shout"]
    reasons = manifest["reasons"]["execution"]
    assert reasons["output_too_large"] == 2 and reasons["exited"] == 2 and reasons["network_blocked"] == 2
    assert sum(reasons.values()) == len(cases) - 2
    report = (tmp_path / "run" / "report.md").read_text()
    assert "memory_limit" in report and "crashed" in report and "process_limit" in report
    # which containment was in effect: namespaces where the OS allows them, else the fallbacks
    sandbox = manifest["sandbox"]
    assert (sandbox["network"], sandbox["processes"]) in [("namespace", "pid_namespace"), ("python_guard", "process_tree")]
    assert sandbox["max_processes"] == 32 and "PATH" in sandbox["env_allowlist"]
