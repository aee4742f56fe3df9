"""The run directory: append-only stage files, the manifest, and dataset export.

``candidates.jsonl`` gets one ``SampleRecord`` per finished generation call (request, prompt, raw
completion, parsed candidates; none when the provider refused the request); ``verdicts.jsonl`` one
``Outcome`` per candidate (every verdict, the final stage and reason, execution results, usage, the
example when kept), and one more for a candidate verified again; ``errors.jsonl`` one
``GenerationFailure`` per generation call that failed (after retries, or refused). Each line is
flushed as it is written, so a killed run loses at most the samples in flight.

Model text is data and is stored whatever it holds: a lone UTF-16 surrogate (not valid Unicode,
so not encodable as UTF-8) is written as its JSON escape (``\\ud800``) and reads back as the same
string; the exported dataset, which must be valid Unicode, has U+FFFD in its place.

Run state is ids and counters, never records: a sample is finished when every candidate of its
latest attempt has an outcome; counts, usage and the (index, position, file offset) of each kept
example are kept as numbers, and the dataset is exported by reading the kept lines back in
sample order. Memory is flat in the number of samples. An outcome marked ``retry`` (its stage's
model calls failed after retries) is counted as rejected until a rerun verifies the candidate
again; the newer outcome then replaces it in the counts.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from apigen import checkpoint
from apigen.export.api_split import SPLITS, ApiSplit
from apigen.export.dataset import ExportSummary, file_name, write_dataset
from apigen.records import Candidate, Example, GenerationFailure, Outcome, Record, SampleRecord, Usage, stable_hash
from apigen.surrogates import escape_surrogates, replace_surrogates

CANDIDATES = "candidates.jsonl"
VERDICTS = "verdicts.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "manifest.json"
DATASET = "dataset"
OVERLAPS_LISTED = 1000  # benchmark overlaps the run state lists (memory stays flat in a big run)


class RunFileError(ValueError):
    """A run file cannot be read (for example a damaged manifest.json)."""


def open_append(path: Path) -> IO[bytes]:
    """Open for appending; a line left half-written by a kill is cut off first: it never was a
    record, and left in place (even newline-terminated) it would read as damage on the next load."""
    handle = path.open("ab")
    if handle.tell():
        end = _after_last_newline(path)
        if end != handle.tell():
            handle.truncate(end)
            handle.seek(end)
    return handle


def _after_last_newline(path: Path, chunk: int = 1 << 16) -> int:
    """The offset just past the file's last newline (0 when it has none), read from the end."""
    with path.open("rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        while position > 0:
            start = max(0, position - chunk)
            handle.seek(start)
            found = handle.read(position - start).rfind(b"\n")
            if found >= 0:
                return start + found + 1
            position = start
    return 0


def append_record(handle: IO[bytes], record: Record, line: str | None = None) -> int:
    """Write one record as one line and flush it; returns the line's byte offset. ``line`` is the
    record's JSON when the caller has it already (a worker process wrote it)."""
    offset = handle.tell()
    handle.write(escape_surrogates(record.to_json() if line is None else line).encode("utf-8") + b"\n")
    handle.flush()
    return offset


def write_json_atomic(path: Path, data: Any, indent: int | None = 2) -> None:
    """Write JSON through a temporary file and a rename: a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(escape_surrogates(json.dumps(data, indent=indent, ensure_ascii=False)), encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class _OpenSample:
    """The latest attempt of a sample whose candidates do not all have an outcome yet."""

    index: int
    attempt: int
    expected: int
    offset: int = 0  # of its line in candidates.jsonl
    outcomes: list[tuple[Outcome, int]] = field(default_factory=list)  # (outcome, offset in verdicts.jsonl)


@dataclass(frozen=True)
class PendingCheck:
    """A candidate of a finished sample whose rejecting stage could not decide (its model calls
    failed after retries): a rerun verifies it again."""

    index: int
    attempt: int
    sample_offset: int  # its sample's line in candidates.jsonl
    stage: str
    reason: str


@dataclass
class RunState:
    """What the run directory says has happened so far, as ids and counters."""

    finished: set[str] = field(default_factory=set)
    open: dict[str, _OpenSample] = field(default_factory=dict)
    generated: int = 0  # candidates of finished samples
    kept: int = 0
    request_errors: int = 0  # finished samples whose generation request the provider refused
    pending_checks: dict[str, PendingCheck] = field(default_factory=dict)  # by candidate id
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, reason) -> candidates
    usage: dict[str, Usage] = field(default_factory=dict)  # by role: generator, then stage names
    kept_rows: list[tuple[int, int, int]] = field(default_factory=list)  # (index, position, offset)
    on_kept: Callable[[Example], None] | None = None  # told of each example kept when it is read back
    # told of each outcome as it is counted, with its sample's offset in candidates.jsonl (the report's figures)
    on_counted: Callable[[Outcome, int], None] | None = None
    # The first OVERLAPS_LISTED benchmark_overlap rejections (their verdict's data: query, BFCL
    # item id, overlap), for the report; the count of all of them is in `rejected`.
    overlaps: list[dict[str, Any]] = field(default_factory=list)

    def add_usage(self, role: str, usage: Usage) -> None:
        if usage.calls:
            self.usage[role] = self.usage.get(role, Usage()) + usage

    def add_sample(self, record: SampleRecord, offset: int = 0) -> None:
        """Take in one candidates.jsonl record (at ``offset``), as read back or as just written."""
        sid = record.request.sample_id
        self.add_usage("generator", record.completion.usage)
        if sid in self.finished:
            return  # only reachable if two processes wrote one run; the first finished version stands
        self.open[sid] = _OpenSample(record.request.index, record.attempt, len(record.candidates), offset)
        if not record.candidates:
            if record.completion.error:
                self.request_errors += 1
            self._finish(sid)

    def add_outcome(self, outcome: Outcome, offset: int, restoring: bool = False) -> None:
        for role, usage in outcome.usage.items():
            self.add_usage(role, usage)
        pending = self.pending_checks.get(outcome.candidate_id)
        if pending is not None and pending.attempt == outcome.attempt:
            # The candidate verified again: the new outcome replaces the undecided one.
            del self.pending_checks[outcome.candidate_id]
            key = (pending.stage, pending.reason)
            self.rejected[key] -= 1
            if not self.rejected[key]:
                del self.rejected[key]
            self._count(outcome, pending.index, offset, pending.sample_offset, restoring)
            return
        sample = self.open.get(outcome.sample_id)
        if sample is None or sample.attempt != outcome.attempt:
            return  # an outcome of an earlier attempt, cut short by a kill and redone since
        sample.outcomes.append((outcome, offset))
        if len(sample.outcomes) == sample.expected:
            self._finish(outcome.sample_id, restoring)

    def _finish(self, sid: str, restoring: bool = False) -> None:
        sample = self.open.pop(sid)
        self.finished.add(sid)
        for outcome, offset in sample.outcomes:
            self.generated += 1
            self._count(outcome, sample.index, offset, sample.offset, restoring)

    def _count(self, outcome: Outcome, index: int, offset: int, sample_offset: int, restoring: bool) -> None:
        if self.on_counted is not None:
            self.on_counted(outcome, sample_offset)
        if outcome.kept:
            self.kept += 1
            self.kept_rows.append((index, outcome.position, offset))
            if restoring and self.on_kept is not None and outcome.example is not None:
                self.on_kept(outcome.example)
            return
        self.rejected[(outcome.stage, outcome.reason)] += 1
        if outcome.reason == "benchmark_overlap" and len(self.overlaps) < OVERLAPS_LISTED and outcome.verdicts:
            self.overlaps.append(dict(outcome.verdicts[-1].data))
        if outcome.retry:
            self.pending_checks[outcome.candidate_id] = PendingCheck(index, outcome.attempt, sample_offset,
                                                                     outcome.stage, outcome.reason)

    def next_attempt(self, sample_id: str) -> int:
        """0 for a sample never generated; one more than its latest attempt for an unfinished one."""
        sample = self.open.get(sample_id)
        return sample.attempt + 1 if sample else 0


def _read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(byte offset, line) of every complete line; a line cut short by a kill has no newline and
    is skipped (its sample is simply redone)."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        offset = 0
        for line in handle:
            start, offset = offset, offset + len(line)
            if line.endswith(b"\n") and line.strip():
                yield start, line


def _parsed(kind: Any, path: Path, line: bytes, offset: int) -> Any:
    """One record of a stage file; a complete line that is not one is damage, not a kill."""
    try:
        return kind.from_json(line)
    except Exception as exc:  # JSON, missing keys, wrong types: all mean the line is not a record
        raise RunFileError(f"{path} at byte {offset} is damaged ({type(exc).__name__}: {exc}); "
                           "move the file away or start a new run directory") from None


def read_state(run_dir: Path, state: RunState) -> RunState:
    """Stream the stage files of ``run_dir`` into ``state``, read only, one record at a time."""
    for offset, line in _read_lines(run_dir / CANDIDATES):
        state.add_sample(_parsed(SampleRecord, run_dir / CANDIDATES, line, offset), offset)
    for offset, line in _read_lines(run_dir / VERDICTS):
        state.add_outcome(_parsed(Outcome, run_dir / VERDICTS, line, offset), offset, restoring=True)
    return state


class RunStore:
    def __init__(self, run_dir: str | os.PathLike, create: bool = True):
        """``create=False``: only to read (``scan``, ``read_manifest``) a directory that may not exist."""
        self.run_dir = Path(run_dir)
        if create:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        self.state = RunState()
        self._candidates: IO[bytes] | None = None
        self._verdicts: IO[bytes] | None = None
        self._export: dict[str, Any] | None = None  # what dataset/ was last exported from
        self._replay: Callable[[Example], None] | None = None
        self._checkpointed = False  # the checkpoint on disk is the state as it is

    def load(self, on_kept: Callable[[Example], None] | None = None, *, defer_kept: bool = False) -> RunState:
        """Read the stage files back into the run state; ``on_kept`` sees every kept example
        (the dedup stage re-learns the kept queries), then open the files for appending. When the
        run left a checkpoint that matches the files (apigen/checkpoint.py), the state comes from
        it, and with ``defer_kept`` ``on_kept`` sees the kept examples only when ``replay_kept()``
        is called (the runner calls it only when there is work to do)."""
        restored = checkpoint.restore(self.run_dir, [CANDIDATES, VERDICTS])
        if restored is not None:
            self.state, self._export = restored
            self._replay, self._checkpointed = on_kept, True
            if not defer_kept:
                self.replay_kept()
        else:
            self._read_back(on_kept)
        self._candidates = open_append(self.run_dir / CANDIDATES)
        self._verdicts = open_append(self.run_dir / VERDICTS)
        return self.state

    def scan(self, on_kept: Callable[[Example], None] | None = None) -> RunState:
        """Read the stage files back into the run state without writing anything, so that another
        process may still be appending to them (``apigen.merge`` reads shards that still run)."""
        self._read_back(on_kept)
        self.state.on_kept = None
        return self.state

    def replay_kept(self) -> None:
        """Show the kept examples to ``load``'s ``on_kept`` if the checkpoint spared reading them."""
        replay, self._replay = self._replay, None
        if replay is not None:
            for example in self.kept_examples():
                replay(example)

    def _read_back(self, on_kept: Callable[[Example], None] | None) -> None:
        self.state = read_state(self.run_dir, RunState(on_kept=on_kept))
        self.state.on_kept = None

    def read_manifest(self) -> dict[str, Any] | None:
        path = self.run_dir / MANIFEST
        if not path.exists():
            return None
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:  # UnicodeDecodeError is a ValueError
            raise RunFileError(f"{path} is damaged ({exc}); move it away to resume from the stage files") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("digests", {}), dict):
            raise RunFileError(f"{path} is damaged (not a run manifest: no object with 'digests'); "
                               "move it away to resume from the stage files")
        return manifest

    def append_sample(self, record: SampleRecord, line: str | None = None) -> None:
        self._checkpointed = False
        assert self._candidates is not None, "RunStore.load() first"
        self.state.add_sample(record, append_record(self._candidates, record, line))

    def pending_candidate(self, candidate_id: str) -> Candidate:
        """A candidate to verify again, read back from its sample's line in candidates.jsonl."""
        assert self._candidates is not None, "RunStore.load() first"
        self._candidates.flush()
        with (self.run_dir / CANDIDATES).open("rb") as handle:
            handle.seek(self.state.pending_checks[candidate_id].sample_offset)
            record = SampleRecord.from_json(handle.readline())
        return next(c for c in record.candidates if c.candidate_id == candidate_id)

    def append_failure(self, failure: GenerationFailure, line: str | None = None) -> None:
        """A failed generation call: after its retries (the sample stays unfinished), or refused
        (the sample is finished by its SampleRecord without candidates)."""
        with open_append(self.run_dir / ERRORS) as handle:
            append_record(handle, failure, line)

    def append_outcome(self, outcome: Outcome, line: str | None = None) -> None:
        self._checkpointed = False
        assert self._verdicts is not None, "RunStore.load() first"
        self.state.add_outcome(outcome, append_record(self._verdicts, outcome, line))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json_atomic(self.run_dir / MANIFEST, manifest)

    def write_text(self, name: str, text: str) -> None:
        (self.run_dir / name).write_text(replace_surrogates(text), encoding="utf-8")

    def kept_entries(self, below_index: int | None = None) -> Iterator[tuple[int, int, Example]]:
        """(sample index, position, example) of every kept example of a finished sample, in
        (index, position) order, read back from verdicts.jsonl one at a time; with ``below_index``,
        only those of samples below it."""
        if not self.state.kept_rows:
            return
        if self._verdicts is not None:
            self._verdicts.flush()
        with (self.run_dir / VERDICTS).open("rb") as handle:
            for index, position, offset in sorted(self.state.kept_rows):
                if below_index is not None and index >= below_index:
                    break
                handle.seek(offset)
                example = Outcome.from_json(handle.readline()).example
                assert example is not None
                yield index, position, example

    def kept_examples(self, below_index: int | None = None) -> Iterator[Example]:
        """Kept examples of finished samples in (sample index, position) order."""
        return (example for _, _, example in self.kept_entries(below_index))

    def export_dataset(self, formats: Iterable[str], split: ApiSplit | None = None,
                       card: Callable[[ExportSummary], str] | None = None) -> Path:
        """Rebuild dataset/ from the stage files (see the module's ``export_dataset``)."""
        target = export_dataset(self.kept_examples(), self.run_dir / DATASET, formats, split, card)
        self._export, self._checkpointed = self._export_source(formats, split), False
        return target

    def _export_source(self, formats: Iterable[str], split: ApiSplit | None) -> dict[str, Any]:
        """What an export is made from: the kept rows (where they are in verdicts.jsonl), the formats,
        the split and the exporting version."""
        from apigen import __version__

        return {"apigen": __version__, "formats": sorted(set(formats)), "split": dataclasses.asdict(split) if split else None,
                "rows": stable_hash(sorted(self.state.kept_rows))}

    def export_is_current(self, formats: Iterable[str], split: ApiSplit | None = None) -> bool:
        """dataset/ holds the export of the kept rows as they are, in these formats and split, with its
        card (a rerun with nothing new to do need not write it again)."""
        formats = sorted(set(formats))
        splits: tuple[str | None, ...] = SPLITS if split else (None,)
        names = ["README.md", *(file_name(f, s) for f in formats for s in splits)]
        return self._export == self._export_source(formats, split) and all((self.run_dir / DATASET / n).exists() for n in names)

    def close(self) -> None:
        for handle in (self._candidates, self._verdicts):
            if handle is not None:
                handle.close()
        if self._candidates is not None and not self.state.open and not self._checkpointed:  # no sample half done
            checkpoint.save(self.run_dir, [CANDIDATES, VERDICTS], self.state, self._export)



def export_dataset(examples: Iterable[Example], target: Path, formats: Iterable[str], split: ApiSplit | None = None,
                   card: Callable[[ExportSummary], str] | None = None) -> Path:
    """Write ``target`` (a run's dataset/) from examples in row order (apigen/export/dataset.py: the
    Hugging Face dataset plus the chosen formats, split by API when ``split`` is given, streamed),
    with the dataset card ``card`` renders as README.md; the old folder is replaced only once the
    new one is complete."""
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    summary = write_dataset(examples, staging, formats, split)
    if card is not None:
        (staging / "README.md").write_text(replace_surrogates(card(summary)), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    return target
