"""The exit codes README documents, as the real CLI gives them (runs against the fake model server
are in test_llm_faults.py: 0 completed, 1 fatal model error, 3 incomplete)."""

from __future__ import annotations

from apigen import exit_codes

from conftest import run_cli


def test_the_codes_are_the_documented_ones():
    assert (exit_codes.COMPLETED, exit_codes.ERROR, exit_codes.INCOMPLETE) == (0, 1, 3)
    assert exit_codes.for_statuses([]) == 0  # --cfg job and the like run nothing
    assert exit_codes.for_statuses(["completed", "incomplete", "completed"]) == 3  # a multirun: the worst
    assert exit_codes.for_statuses(["completed", "failed"]) == 1


def test_a_configuration_error_exits_1_and_a_bad_option_2(tmp_path):
    misspelled = run_cli(["num_sampels=3", f"hydra.run.dir={tmp_path / 'run'}"])
    assert misspelled.returncode == 1 and "num_sampels" in misspelled.stderr
    bad_option = run_cli(["--no-such-option"])
    assert bad_option.returncode == 2
