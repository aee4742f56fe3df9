"""Running verifier stages over labelled rows and scoring them: correct rows kept, wrong rows
rejected, per stage and for chains of stages.

Each stage sees every row on its own, with the context the stages before it left (BFCL's
functions are not executable, so no stage gets execution results; the judge gets grounding's
untraced values), and a chain keeps a row when each of its stages passes it. The round-trip solver never sees a row's calls, so its
answers to one query serve the correct row and every wrong variant of it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from apigen.bfcl.labelled import LabelledRow
from apigen.records import Candidate
from apigen.verify.chain import Stage, StageContext
from apigen.verify.roundtrip import Answer, RoundTripStage

LLM_STAGES = ("roundtrip", "semantic")


@dataclass
class StageScores:
    """One stage's verdicts: row id -> passed, and the time it spent."""

    name: str
    passed: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    units: int = 0  # what the time is per: rows, or distinct queries for the round-trip solver


def strict_pass(stage: str, verdict_passed: bool, data: dict) -> bool:
    """A flagged grounding verdict in mode flag passes the candidate but would reject it in mode
    reject: that stage's own figure is the reject mode's. Other modes are measured as they run."""
    return verdict_passed and not (stage == "grounding" and data.get("mode") == "flag" and data.get("flagged"))


async def score_stage(stage: Stage, rows: Sequence[LabelledRow], concurrency: int,
                      contexts: dict[str, StageContext]) -> StageScores:
    """``contexts``: each row's context, carried from stage to stage as the chain does (the judge
    sees the values grounding could not trace)."""
    scores = StageScores(stage.name)
    limit = asyncio.Semaphore(concurrency)
    started = time.perf_counter()
    if isinstance(stage, RoundTripStage):
        groups: dict[tuple, list[LabelledRow]] = {}
        for row in rows:
            groups.setdefault(_query_key(row.candidate), []).append(row)

        done = [0]

        async def solve(group: list[LabelledRow]) -> None:
            async with limit:
                answers, _ = await stage.answers(group[0].candidate)
            _decide_all(stage, group, answers, scores)
            done[0] += 1
            _progress(f"{stage.name} queries", done[0], len(groups))

        await asyncio.gather(*(solve(g) for g in groups.values()))
        scores.units = len(groups)
    else:
        async def check(row: LabelledRow) -> None:
            async with limit:
                verdict = await stage.check(row.candidate, contexts[row.row_id])
            scores.passed[row.row_id] = strict_pass(stage.name, verdict.passed, verdict.data)
            scores.reasons[row.row_id] = verdict.reason if not verdict.passed else ("flagged" if verdict.data.get("flagged") else "ok")
            if stage.name in LLM_STAGES:
                _progress(f"{stage.name} rows", len(scores.passed), len(rows))

        await asyncio.gather(*(check(r) for r in rows))
        scores.units = len(rows)
    scores.seconds = time.perf_counter() - started
    return scores


def _decide_all(stage: RoundTripStage, group: list[LabelledRow], answers: list[Answer], scores: StageScores) -> None:
    for row in group:
        verdict = stage.decide(row.candidate, answers)
        scores.passed[row.row_id] = verdict.passed
        scores.reasons[row.row_id] = verdict.reason


def _query_key(candidate: Candidate) -> tuple:
    return candidate.query, candidate.api_names, candidate.style


def _progress(name: str, done: int, total: int) -> None:
    if done == total or done % 10 == 0:
        print(f"  {name}: {done}/{total}", file=sys.stderr, flush=True)


def chain_outcome(chain: Sequence[str], row_id: str, scores: dict[str, StageScores], flag_only: Iterable[str] = ()) -> bool | None:
    """Whether the chain keeps the row; None when a verdict it needs was not measured. Stages in
    ``flag_only`` record their signal without rejecting (grounding in mode flag)."""
    flag_only = set(flag_only)
    for name in chain:
        if name in flag_only:
            continue
        passed = scores[name].passed.get(row_id)
        if passed is None:
            return None
        if not passed:
            return False
    return True


@dataclass(frozen=True)
class Figures:
    """Correct rows kept and wrong rows rejected, overall and per kind of wrong row."""

    kept: int
    correct: int
    rejected: dict[str, int]
    wrong: dict[str, int]

    @property
    def kept_share(self) -> float:
        return self.kept / self.correct if self.correct else float("nan")

    def rejected_share(self, kind: str | None = None) -> float:
        rejected = sum(self.rejected.values()) if kind is None else self.rejected.get(kind, 0)
        wrong = sum(self.wrong.values()) if kind is None else self.wrong.get(kind, 0)
        return rejected / wrong if wrong else float("nan")


def figures(rows: Sequence[LabelledRow], outcome: dict[str, bool | None]) -> Figures:
    kept = correct = 0
    rejected: dict[str, int] = {}
    wrong: dict[str, int] = {}
    for row in rows:
        result = outcome.get(row.row_id)
        if result is None:
            continue
        if row.correct:
            correct += 1
            kept += result
        else:
            wrong[row.kind] = wrong.get(row.kind, 0) + 1
            rejected[row.kind] = rejected.get(row.kind, 0) + (not result)
    return Figures(kept, correct, rejected, wrong)
