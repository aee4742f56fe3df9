"""Scoring one answer: AST match against the possible answers (BFCL's rules,
apigen.matching.possible), relevance (a call exactly when the reference has one) and, where the
catalog can run both call sets, execution match (the same results)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from apigen.eval.answer import ModelAnswer
from apigen.eval.items import EvalItem
from apigen.execution import EXECUTABLE_KINDS, ExecutionService
from apigen.matching.possible import match_possible
from apigen.records import ApiSpec, Record, ToolCall


@dataclass(frozen=True)
class Score(Record):
    """``ast``: the calls match the reference (no call where none is expected); ``reason`` /
    ``detail`` say why not. ``relevant``: the model called a function exactly when the reference
    does. ``executed``: the calls' results equal the reference's (None: not executable here)."""

    ast: bool
    reason: str
    detail: str
    relevant: bool
    executed: bool | None = None
    execution_detail: str = ""


def score_ast(item: EvalItem, answer: ModelAnswer) -> Score:
    relevant = bool(answer.calls) == bool(item.answers)
    if answer.error:
        return Score(False, "model_error", answer.error[:300], relevant=False)
    if answer.unreadable:
        return Score(False, "unreadable", answer.unreadable[:300], relevant)
    if not item.answers:
        called = ", ".join(c.name for c in answer.calls)
        return Score(not answer.calls, "ok" if not answer.calls else "unexpected_call", called and f"no call expected, got {called}", relevant)
    if not answer.calls:
        return Score(False, "no_call", f"expected {len(item.answers)} call(s), got none", relevant)
    result = match_possible(item.answers, answer.calls, item.schemas())
    return Score(result.matched, result.reason, result.detail, relevant)


def executable(item: EvalItem, catalog: dict[str, ApiSpec]) -> bool:
    """Whether every offered tool is a catalog API this process can run, and the item has
    concrete reference calls to run against."""
    return bool(item.reference) and all(
        t.name in catalog and catalog[t.name].executor.kind in EXECUTABLE_KINDS for t in item.tools)


def _result_key(name: str, result: Any) -> str:
    return json.dumps([name, result], sort_keys=True, ensure_ascii=False, default=repr)


async def _results(service: ExecutionService, catalog: dict[str, ApiSpec], calls: tuple[ToolCall, ...]) -> tuple[Counter[str], str]:
    keys: Counter[str] = Counter()
    for call in calls:
        spec = catalog.get(call.name)
        if spec is None:
            return keys, f"'{call.name}' is not a catalog function"
        result = await service.run(spec.executor, call.arguments)
        if not result.ok:
            return keys, f"'{call.name}' failed: {result.code}: {result.message[:200]}"
        keys[_result_key(call.name, result.result)] += 1
    return keys, ""


async def score_execution(service: ExecutionService, catalog: dict[str, ApiSpec], item: EvalItem, answer: ModelAnswer) -> tuple[bool | None, str]:
    """(same results, why not): both call sets run; their (function, result) multisets must be
    equal. None when the reference itself does not run (nothing to compare with)."""
    expected, failed = await _results(service, catalog, item.reference)
    if failed:
        return None, f"reference: {failed}"
    if not answer.calls:
        return False, "no call"
    actual, failed = await _results(service, catalog, answer.calls)
    if failed:
        return False, failed
    return (True, "") if actual == expected else (False, "results differ from the reference's")
