"""The calibration command end to end: the labelled BFCL set, a real HTTP solver and judge (the fake
server answers from the reference calls), the stages built by the config, the printed table."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from apigen.bfcl.labelled import build_labelled_set

from conftest import ROOT, fake_llm_overrides, judge
from fake_llm_server import FakeLLMServer, is_solver


def oracle(per_kind: int):
    """A solver that answers every query with its reference calls, and a judge that passes all."""
    _, rows = build_labelled_set(per_kind, 0)
    reference = {r.candidate.query: [c.to_dict() for c in r.candidate.calls] for r in rows if r.correct}

    def solver(request: dict) -> str:
        prompt = request["messages"][-1]["content"]
        query = next(q for q in reference if f"User request:\n{q}\n" in prompt)
        return json.dumps({"calls": reference[query]})

    return solver


def router(request: dict) -> str:
    return "solver" if is_solver(request) else "judge"


def test_calibration_prints_kept_and_rejected_shares_per_stage_and_chain(tmp_path):
    out = tmp_path / "rows.json"
    with FakeLLMServer({"solver": oracle(4), "judge": [judge(True)]}, router=router) as server:
        result = subprocess.run(
            [sys.executable, "-m", "apigen.calibrate", "--per-kind", "4", "--also", "semantic", "--out", str(out),
             *fake_llm_overrides(server), "verifier.stages=[format,dedup,near_dup,decontaminate,execution,grounding,roundtrip]",
             "verifier.grounding.mode=flag"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
        judged = [r["messages"][-1]["content"] for r in server.routed("judge")]
    assert result.returncode == 0, result.stderr
    lines = {line.split("  ")[0]: re.sub(r"\(\s+", "(", " ".join(line.split())) for line in result.stdout.splitlines()}
    # An oracle solver keeps every correct row and rejects every wrong one; a judge that passes
    # everything keeps all and rejects none.
    assert "100.0% (10) 100.0% (16)" in lines["roundtrip"]
    assert "100.0% (10) 0.0% (16)" in lines["semantic"]
    # The rows are BFCL's own and share queries on purpose: the similarity stages are left out.
    assert "left out: dedup, near_dup, decontaminate, execution" in result.stdout
    chain = next(v for k, v in lines.items() if k.startswith("chain format > grounding(flag) > roundtrip") and "[configured]" in v)
    assert "100.0% (10) 100.0% (16)" in chain
    # The judge gets each row's context from the stages before it, as in a run: grounding's
    # untraced values (every changed value is absent from its query).
    assert len(judged) == 26 and any("do not appear in the query" in prompt for prompt in judged)
    rows = json.loads(out.read_text())["rows"]
    assert len(rows) == 26 and all(r["chain_kept"] == r["correct"] for r in rows)


def test_grounding_in_mode_reject_numbers_is_measured_as_it_runs():
    """No model: grounding's own verdicts are the figures, and the flag variant is shown beside them."""
    result = subprocess.run(
        [sys.executable, "-m", "apigen.calibrate", "--per-kind", "4", *fake_llm_overrides("http://127.0.0.1:9/v1"),
         "verifier.stages=[format,grounding]", "verifier.grounding.mode=reject_numbers"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    labels = [line.split("  ")[0] for line in result.stdout.splitlines()]
    assert "grounding (mode reject_numbers)" in labels and "grounding (as mode reject)" not in labels
    assert "chain format > grounding" in labels and "chain format > grounding(flag)" in labels
    def shares(prefix: str) -> list[float]:  # correct kept %, wrong rejected %
        line = next(line for line in result.stdout.splitlines() if line.startswith(prefix))
        return [float(x) for x in re.findall(r"([\d.]+)%", line)[:2]]

    assert shares("grounding (mode reject_numbers)") == shares("chain format > grounding  [configured]")
    kept, rejected = shares("chain format > grounding  [configured]")
    assert kept == 100.0 and rejected > 0  # BFCL's correct rows state their numbers; changed values are caught
    assert shares("chain format > grounding(flag)") == [100.0, 0.0]  # flagging rejects nothing
