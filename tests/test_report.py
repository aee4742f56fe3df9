"""The per-stage table and the failure breakdown, with percentages, in manifest and report."""

from __future__ import annotations

from collections import Counter

from apigen.report import render_report, render_table, stage_statistics

STAGES = ["format", "dedup", "execution", "semantic"]


def test_breakdown_has_counts_shares_and_meanings():
    rejected = Counter({("format", "placeholder_value"): 3, ("format", "unknown_function"): 1, ("execution", "timeout"): 1})
    stats = stage_statistics(STAGES, generated=10, kept=5, rejected=rejected)
    assert [r["pass_rate"] for r in stats["stages"]] == [0.6, 1.0, round(5 / 6, 4), 1.0]
    assert stats["counts"] == {"generated": 10, "failed_format": 4, "failed_dedup": 0, "failed_execution": 1,
                               "failed_semantic": 0, "kept": 5}
    first = stats["reason_breakdown"][0]
    assert (first["stage"], first["reason"], first["count"], first["share_of_stage_rejections"], first["share_of_generated"]) == \
        ("format", "placeholder_value", 3, 0.75, 0.3)
    assert "template placeholder" in first["meaning"]
    report = render_report({**stats, "name": "t", "models": {}, "samples": {}, "usage": {}, "timings": {}})
    assert "| format | `placeholder_value` | 3 | 75.0% | 30.0% |" in report
    assert "| execution | `timeout` | 1 | 100.0% | 10.0% |" in report


def test_the_table_follows_the_configured_chain():
    stats = stage_statistics(["format", "execution"], generated=4, kept=3, rejected=Counter({("execution", "timeout"): 1}))
    assert [r["stage"] for r in stats["stages"]] == ["format", "execution"]
    assert set(stats["counts"]) == {"generated", "failed_format", "failed_execution", "kept"}
    assert [line.split()[0] for line in render_table(stats).splitlines()[1:]] == ["format", "execution", "overall"]


def test_every_reason_code_is_in_the_verification_docs():
    from pathlib import Path

    from apigen.verify.reasons import REASONS

    docs = (Path(__file__).resolve().parents[1] / "docs" / "VERIFICATION.md").read_text()
    assert all(f"| {r.stage} | `{r.code}` | {r.meaning} |" in docs for r in REASONS)
