"""The run state is ids and counters: reading a run back keeps no record in memory, and outcomes
of an attempt that was redone do not count."""

from __future__ import annotations

import gc

from apigen.records import (
    Candidate,
    Completion,
    Example,
    Outcome,
    Prompt,
    SampleRecord,
    SampleRequest,
    ToolCall,
    Usage,
    Verdict,
)
from apigen.store import RunStore


def sample(i: int, n: int = 2, attempt: int = 0) -> SampleRecord:
    request = SampleRequest(f"s{i}", i, "simple", ("f",), (), "t", n)
    cands = tuple(Candidate(f"s{i}-{p}", f"s{i}", p, "simple", ("f",), f"q{i}-{p}", (ToolCall("f", {"x": p}),)) for p in range(n))
    return SampleRecord(request, Prompt(f"s{i}", "t", ({"role": "user", "content": "u" * 500},)),
                        Completion(f"s{i}", "x" * 1000, usage=Usage(1, 10, 5)), cands, attempt)


def outcome(i: int, p: int, kept: bool, attempt: int = 0) -> Outcome:
    example = Example(f"s{i}-{p}", f"s{i}", f"q{i}-{p}", ({"name": "f"},), (ToolCall("f", {"x": p}),)) if kept else None
    return Outcome(f"s{i}-{p}", f"s{i}", i, p, attempt, kept, "kept" if kept else "execution", "ok" if kept else "timeout",
                   verdicts=(Verdict(f"s{i}-{p}", "format", True),), usage={"semantic": Usage(1, 3, 1)}, example=example)


def write_run(run_dir, samples: int) -> None:
    store = RunStore(run_dir)
    store.load()
    for i in reversed(range(samples)):  # finished out of index order, as under concurrency
        store.append_sample(sample(i))
        store.append_outcome(outcome(i, 0, True))
        store.append_outcome(outcome(i, 1, i % 2 == 0))
    store.close()


def live(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is kind)


def test_loading_a_run_keeps_counters_not_records(tmp_path):
    write_run(tmp_path, 200)
    before = {kind: live(kind) for kind in (Outcome, SampleRecord, Candidate, Example, Completion)}
    store = RunStore(tmp_path)
    seen: list[str] = []
    state = store.load(on_kept=lambda example: seen.append(example.query))
    assert {kind: live(kind) for kind in before} == before  # nothing read back is still held
    assert len(state.finished) == 200 and not state.open and state.generated == 400 and state.kept == 300
    assert state.rejected == {("execution", "timeout"): 100}
    assert state.usage == {"generator": Usage(200, 2000, 1000), "semantic": Usage(400, 1200, 400)}
    assert len(seen) == 300
    assert all(isinstance(v, int) for row in state.kept_rows for v in row)
    queries = [e.query for e in store.kept_examples()]  # streamed back in (index, position) order
    assert queries[:3] == ["q0-0", "q0-1", "q1-0"] and len(queries) == 300
    store.close()


def test_outcomes_of_a_redone_attempt_do_not_count(tmp_path):
    store = RunStore(tmp_path)
    store.load()
    store.append_sample(sample(0))
    store.append_outcome(outcome(0, 0, True))  # killed here: candidate 1 never got an outcome
    store.close()

    store = RunStore(tmp_path)
    state = store.load()
    assert not state.finished and state.next_attempt("s0") == 1
    store.append_sample(sample(0, attempt=1))
    store.append_outcome(outcome(0, 0, False, attempt=1))
    assert not state.finished  # the first attempt's outcome for candidate 0 does not finish it
    store.append_outcome(outcome(0, 1, True, attempt=1))
    assert state.finished == {"s0"} and state.kept == 1 and state.generated == 2
    assert [e.query for e in store.kept_examples()] == ["q0-1"]
    store.close()
    assert RunStore(tmp_path).load().kept == 1  # the same when read back



def test_a_run_resumed_after_a_kill_loads_again(tmp_path):
    """The half-written line a kill leaves is cut off before the next append: newline-terminated
    in place, it read as a damaged record on the load after the resume."""
    store = RunStore(tmp_path)
    store.load()
    store.append_sample(sample(0))
    store.append_outcome(outcome(0, 0, True))
    store.close()
    whole = (tmp_path / "verdicts.jsonl").read_bytes()
    with (tmp_path / "verdicts.jsonl").open("ab") as handle:
        handle.write(outcome(0, 1, False).to_json().encode()[:25])  # killed mid-line
    resumed = RunStore(tmp_path)
    resumed.load()
    resumed.append_outcome(outcome(0, 1, False))
    resumed.close()
    assert (tmp_path / "verdicts.jsonl").read_bytes() == whole + outcome(0, 1, False).to_json().encode() + b"\n"
    again = RunStore(tmp_path).load()
    assert (again.generated, again.kept) == (2, 1)


def test_the_last_newline_is_found_across_chunks(tmp_path):
    from apigen.store import _after_last_newline

    path = tmp_path / "f"
    path.write_bytes(b"one\n" + b"x" * 50)
    assert _after_last_newline(path, chunk=4) == 4
    path.write_bytes(b"no newline at all")
    assert _after_last_newline(path, chunk=4) == 0
    path.write_bytes(b"ends\n")
    assert _after_last_newline(path, chunk=3) == 5
