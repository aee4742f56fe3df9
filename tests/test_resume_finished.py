"""Resuming a finished run: with nothing changed it rebuilds nothing (the state comes from the
run's checkpoint, dataset/ is left as it is); a changed export, or new samples, still get done."""

from __future__ import annotations

import json
from pathlib import Path

from datasets import load_from_disk

from conftest import FakeLLMServer, fake_llm_overrides, judge, pairs, run_cli

QUERIES = ["Is 17 a prime number?", "Is 23 a prime number?", "Is 31 a prime number?", "Is 17 a prime number?"]


def _run(server: FakeLLMServer, run_dir: Path, *extra: str):  # type: ignore[no-untyped-def]
    result = run_cli([*fake_llm_overrides(server), f"hydra.run.dir={run_dir}", "catalog.apis=[is_prime]",
                      "sampler=simple_only", "concurrency=1", *extra])
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def test_a_finished_run_resumed_again_rebuilds_nothing_until_something_changed(tmp_run: Path):
    generator = [pairs((q, [("is_prime", {"n": int(q.split()[1])})])) for q in QUERIES]
    with FakeLLMServer({"generator": generator, "judge": lambda r: judge(True)}) as server:
        _run(server, tmp_run, "num_samples=3")
        dataset = tmp_run / "dataset"
        before = {p.name: _stamp(p) for p in [dataset, *dataset.iterdir()]}
        reports = {name: _stamp(tmp_run / name) for name in ("report.md", "report.html")}
        assert (tmp_run / "run_state.json").exists()

        again = _run(server, tmp_run, "num_samples=3")
        assert "3 of 3 samples already finished" in again.stderr
        assert len(server.routed("generator")) == 3
        assert {p.name: _stamp(p) for p in [dataset, *dataset.iterdir()]} == before  # not exported again
        assert {name: _stamp(tmp_run / name) for name in reports} == reports  # nor the reports streamed again
        manifest = json.loads((tmp_run / "manifest.json").read_text())
        assert manifest["status"] == "completed" and manifest["counts"]["kept"] == 3

        _run(server, tmp_run, "num_samples=3", "output.formats=[json,jsonl]")  # another export format
        assert len((dataset / "examples.jsonl").read_text().splitlines()) == 3

        (dataset / "examples.json").unlink()  # an export damaged by hand is written again
        _run(server, tmp_run, "num_samples=3")
        assert len(json.loads((dataset / "examples.json").read_text())) == 3

        # New work after a resume from the checkpoint: the dedup stage still knows the kept queries.
        _run(server, tmp_run, "num_samples=4")
        assert len(server.routed("generator")) == 4
    outcomes = [json.loads(line) for line in (tmp_run / "verdicts.jsonl").read_text().splitlines()]
    assert [o["reason"] for o in outcomes if o["index"] == 3] == ["duplicate_query"]
    assert [row["query"] for row in load_from_disk(str(tmp_run / "dataset"))] == QUERIES[:3]


def _fields(state):  # type: ignore[no-untyped-def]
    return (state.finished, state.generated, state.kept, state.request_errors, state.pending_checks, state.rejected,
            state.usage, sorted(state.kept_rows), set(state.open), state.overlaps)


def test_the_checkpoint_gives_the_state_the_files_give_and_is_ignored_once_they_change(tmp_path: Path):
    from test_store import outcome, sample, write_run

    from apigen.store import RunStore

    write_run(tmp_path, 40)  # a closed store leaves its checkpoint
    assert (tmp_path / "run_state.json").exists()
    store = RunStore(tmp_path)
    seen: list[str] = []
    from_checkpoint = _fields(store.load(on_kept=lambda e: seen.append(e.query)))
    store.close()
    assert len(seen) == 60  # on_kept still sees every kept example
    (tmp_path / "run_state.json").rename(tmp_path / "kept_aside.json")
    store = RunStore(tmp_path)
    assert _fields(store.load()) == from_checkpoint
    store.close()  # writes the checkpoint again

    store = RunStore(tmp_path)
    store.load()
    store.append_sample(sample(40))
    store.append_outcome(outcome(40, 0, True))  # killed here: no close, the checkpoint is out of date
    state = RunStore(tmp_path).load()
    assert "s40" in state.open and state.kept == 60  # read from the files: sample 40 waits for its second outcome
