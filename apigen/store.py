"""The run directory: append-only stage files, the manifest, and dataset export.

``candidates.jsonl`` gets one line per finished generation call (request, raw completion and the
parsed candidates); ``verdicts.jsonl`` one line per candidate with every verdict, the final stage
and reason, and the example when kept. Each line is flushed as it is written, so a killed run
loses at most the samples in flight; on restart in the same directory, samples whose every
candidate has an outcome are skipped, and the dataset is rebuilt from these files, keyed by
candidate id, so no kept example is ever duplicated.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from apigen.catalog.formats import to_xlam_tool
from apigen.records import Candidate, Completion, Example, SampleRequest, Verdict

CANDIDATES = "candidates.jsonl"
VERDICTS = "verdicts.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "manifest.json"
DATASET = "dataset"
EXPORT_COLUMNS = ("id", "query", "tools", "answers")


@dataclass
class Outcome:
    """The end of one candidate's path through the stages."""

    candidate_id: str
    sample_id: str
    kept: bool
    stage: str  # the stage that rejected it, or "kept"
    reason: str
    detail: str
    verdicts: list[Verdict]
    example: Example | None = None
    judge_usage: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate_id": self.candidate_id, "sample_id": self.sample_id, "kept": self.kept,
            "stage": self.stage, "reason": self.reason, "detail": self.detail,
            "verdicts": [v.to_dict() for v in self.verdicts],
            "example": self.example.to_dict() if self.example else None,
            "judge_usage": self.judge_usage,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Outcome":
        return cls(
            candidate_id=data["candidate_id"], sample_id=data["sample_id"], kept=data["kept"],
            stage=data["stage"], reason=data["reason"], detail=data.get("detail", ""),
            verdicts=[Verdict.from_dict(v) for v in data.get("verdicts", [])],
            example=Example.from_dict(data["example"]) if data.get("example") else None,
            judge_usage=data.get("judge_usage", {}),
        )


@dataclass
class RunState:
    """What the run directory says has happened so far."""

    samples: dict[str, dict[str, Any]] = field(default_factory=dict)  # sample_id -> candidates.jsonl record
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # candidate_id -> last outcome
    usage_lines: list[dict[str, Any]] = field(default_factory=list)  # every completion, retries included

    def add_sample(self, record: dict[str, Any]) -> None:
        """Take in one candidates.jsonl record, as read back or as just written."""
        self.samples[record["request"]["sample_id"]] = record
        completion = record["completion"]
        self.usage_lines.append({"role": "generator", **{k: completion.get(k) for k in ("prompt_tokens", "completion_tokens", "cost_usd")}})

    def add_outcome(self, outcome: Outcome) -> None:
        self.outcomes[outcome.candidate_id] = outcome
        if outcome.judge_usage:
            self.usage_lines.append({"role": "judge", **outcome.judge_usage})

    def finished_samples(self) -> set[str]:
        return {
            sid for sid, record in self.samples.items()
            if all(c["candidate_id"] in self.outcomes for c in record["candidates"])
        }

    def final_outcomes(self) -> list[Outcome]:
        """Outcomes of finished samples, in (sample index, position) order."""
        ordered = []
        for sid in sorted(self.finished_samples(), key=lambda s: self.samples[s]["request"]["index"]):
            for cand in self.samples[sid]["candidates"]:
                ordered.append(self.outcomes[cand["candidate_id"]])
        return ordered


def _read_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill; its sample is simply redone


class RunStore:
    def __init__(self, run_dir: str | os.PathLike):
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.state = self._load()
        self._candidates = self._open_append(self.run_dir / CANDIDATES)
        self._verdicts = self._open_append(self.run_dir / VERDICTS)

    @staticmethod
    def _open_append(path: Path) -> Any:
        """Open for appending; a line left half-written by a kill is ended first, so that the next
        record does not get glued onto it."""
        handle = path.open("a", encoding="utf-8")
        if path.stat().st_size:
            with path.open("rb") as existing:
                existing.seek(-1, os.SEEK_END)
                if existing.read(1) != b"\n":
                    handle.write("\n")
                    handle.flush()
        return handle

    def _load(self) -> RunState:
        state = RunState()
        for record in _read_jsonl(self.run_dir / CANDIDATES):
            state.add_sample(record)
        for record in _read_jsonl(self.run_dir / VERDICTS):
            state.add_outcome(Outcome.from_dict(record))
        return state

    def read_manifest(self) -> dict[str, Any] | None:
        path = self.run_dir / MANIFEST
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    @staticmethod
    def _append(handle: Any, record: dict[str, Any]) -> None:
        handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        handle.flush()

    def append_sample(self, request: SampleRequest, completion: Completion, candidates: list[Candidate]) -> None:
        record = {"request": request.to_dict(), "completion": completion.to_dict(),
                  "candidates": [c.to_dict() for c in candidates]}
        self._append(self._candidates, record)
        self.state.add_sample(record)

    def append_error(self, request: SampleRequest, completion: Completion) -> None:
        """A generation call that failed after its retries; the sample stays unfinished."""
        with self._open_append(self.run_dir / ERRORS) as handle:
            self._append(handle, {"request": request.to_dict(), "completion": completion.to_dict()})

    def append_outcome(self, outcome: Outcome) -> None:
        self._append(self._verdicts, outcome.to_dict())
        self.state.add_outcome(outcome)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.run_dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.run_dir / MANIFEST)

    def write_text(self, name: str, text: str) -> None:
        (self.run_dir / name).write_text(text, encoding="utf-8")

    def export_rows(self) -> list[dict[str, Any]]:
        """Kept examples as xlam-60k rows: tools and answers are JSON strings."""
        rows = []
        for outcome in self.state.final_outcomes():
            if outcome.kept and outcome.example is not None:
                ex = outcome.example
                rows.append({
                    "id": len(rows),
                    "query": ex.query,
                    "tools": json.dumps([to_xlam_tool(t) for t in ex.tools], ensure_ascii=False),
                    "answers": json.dumps([c.to_dict() for c in ex.answers], ensure_ascii=False),
                })
        return rows

    def export_dataset(self, formats: Iterable[str]) -> Path:
        """Rebuild dataset/ from the stage files: a Hugging Face dataset plus the chosen extras."""
        from datasets import Dataset, Features, Value  # heavy import, only needed at the end
        from datasets.utils.logging import disable_progress_bar

        disable_progress_bar()

        rows = self.export_rows()
        features = Features({"id": Value("int64"), "query": Value("string"), "tools": Value("string"), "answers": Value("string")})
        target = self.run_dir / DATASET
        staging = self.run_dir / (DATASET + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        # from_dict, not from_list: an empty run must still give a dataset with the four columns.
        dataset = Dataset.from_dict({c: [r[c] for r in rows] for c in EXPORT_COLUMNS}, features=features)
        dataset.save_to_disk(str(staging))
        formats = set(formats)
        if "json" in formats:
            (staging / "examples.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
        if "jsonl" in formats:
            (staging / "examples.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        if "parquet" in formats:
            dataset.to_parquet(str(staging / "examples.parquet"))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
        return target

    def close(self) -> None:
        self._candidates.close()
        self._verdicts.close()
