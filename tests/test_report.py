"""The per-stage table and the failure breakdown, with percentages, in manifest and report."""

from __future__ import annotations

from apigen.report import render_report, stage_statistics
from apigen.store import Outcome


def outcome(i: int, stage: str, reason: str) -> Outcome:
    return Outcome(f"c{i}", "s", stage == "kept", stage, reason, "", [])


def test_breakdown_has_counts_shares_and_meanings():
    outcomes = ([outcome(i, "format", "placeholder_value") for i in range(3)] + [outcome(3, "format", "unknown_function")]
                + [outcome(4, "execution", "timeout")] + [outcome(i, "kept", "ok") for i in range(5, 10)])
    stats = stage_statistics(outcomes, {"format": True, "execution": True, "semantic": True})
    assert [r["pass_rate"] for r in stats["stages"]] == [0.6, round(5 / 6, 4), 1.0]
    first = stats["reason_breakdown"][0]
    assert (first["stage"], first["reason"], first["count"], first["share_of_stage_rejections"], first["share_of_generated"]) == \
        ("format", "placeholder_value", 3, 0.75, 0.3)
    assert "template placeholder" in first["meaning"]
    report = render_report({**stats, "name": "t", "models": {}, "samples": {}, "usage": {}, "timings": {}})
    assert "| format | `placeholder_value` | 3 | 75.0% | 30.0% |" in report
    assert "| execution | `timeout` | 1 | 100.0% | 10.0% |" in report


def test_every_reason_code_is_in_the_verification_docs():
    from pathlib import Path

    from apigen.verify.reasons import REASONS

    docs = (Path(__file__).resolve().parents[1] / "docs" / "VERIFICATION.md").read_text()
    assert all(f"| {r.stage} | `{r.code}` | {r.meaning} |" in docs for r in REASONS)
