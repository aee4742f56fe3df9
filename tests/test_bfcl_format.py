"""The format stage accepts BFCL's correct answers: at least 99% of the reference answers of
the 1000 non-live rows (every rejection there is a false one). No LLM: a second or two.

Needs BFCL's data (scripts/setup.sh installs it); without it this fails with the install command."""

from __future__ import annotations

from collections import Counter

from apigen.bfcl.format_check import reference_verdicts


def test_format_accepts_at_least_99_percent_of_bfcl_ground_truth():
    results = reference_verdicts()
    assert Counter(item.category for item, _ in results) == {"simple_python": 400, "multiple": 200, "parallel": 200,
                                                             "parallel_multiple": 200}
    rejected = [f"{item.id}: {v.reason}: {v.detail}" for item, v in results if not v.passed]
    assert len(rejected) <= 10, "\n".join(rejected)
