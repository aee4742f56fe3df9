"""The relevance stage: turns a candidate of a derived sample (``Candidate.derive``) into its derived
row, and keeps the row only when no call really is the right answer. Always the last stage (build
adds it when a derived style has a weight): the source row has passed every other stage first.

Checks, each with its own reason codes (apigen/verify/reasons.py):
- missing_parameter: a required value the query states is chosen (``no_removable_value`` when
  there is none) and an LLM rewrites the query without it (``rewrite_error`` /
  ``rewrite_unusable``); the value must really be gone, traced as the grounding stage traces
  values (``value_still_in_query``, deterministic).
- the derived row passes stage 1 (format), which accepts no call for derived styles only
  (``derived_row_invalid``: an empty or copied query).
- the round-trip solver, told it may answer with no call, answers the derived query from the
  row's tools ``verifier.roundtrip.k`` times: any answer with a call means a tool can still serve
  (``tool_still_serves`` for irrelevance, ``solver_still_calls`` for missing_parameter), and at
  least ``min_agree`` answers must be no call (else ``solver_error``).

Candidates of ordinary samples pass untouched.
"""

from __future__ import annotations

import json
from typing import Any

from apigen.catalog import Catalog
from apigen.config import DeriveConfig
from apigen.derive import Removal, Rewriter, derived_id, irrelevance_tools, pick_removal, states
from apigen.llm.client import TRANSIENT, LLMClient
from apigen.llm.roles import generator_config, solver_config
from apigen.records import Candidate, Completion, Example, Verdict
from apigen.verify.chain import StageContext, StageEnv
from apigen.verify.format import FormatChecker
from apigen.verify.format import build_stage as build_format
from apigen.verify.roundtrip import RoundTripStage

SERVES = {"irrelevance": "tool_still_serves", "missing_parameter": "solver_still_calls"}


class RelevanceStage:
    name = "relevance"

    def __init__(self, catalog: Catalog, format_checker: FormatChecker, solver: RoundTripStage, rewriter: Rewriter,
                 settings: DeriveConfig, min_agree: int = 1):
        self.catalog, self.format, self.solver, self.rewriter = catalog, format_checker, solver, rewriter
        self.settings, self.min_agree = settings, min_agree

    def _verdict(self, candidate: Candidate, passed: bool, reason: str = "ok", detail: str = "",
                 data: dict[str, Any] | None = None, retry: bool = False) -> Verdict:
        return Verdict(candidate.candidate_id, self.name, passed, reason, detail, data or {}, retry)

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        if not candidate.derive:
            return self._verdict(candidate, True)
        data: dict[str, Any] = {"derive": candidate.derive}
        text = ""
        if candidate.derive == "irrelevance":
            tools = irrelevance_tools(candidate, self.catalog, self.settings.distractors)
            if not tools:
                return self._verdict(candidate, False, "no_distractors", "the catalog has no other tool to offer", data)
            derived = Candidate(derived_id(candidate), candidate.sample_id, candidate.position, "irrelevance", tools,
                                candidate.query)
        else:
            removal = pick_removal(candidate, self.catalog)
            if removal is None:
                return self._verdict(candidate, False, "no_removable_value",
                                     "the call has no required text or number value that the query states", data)
            data["removed"] = {"function": removal.function, "argument": removal.argument, "value": removal.value}
            rewrite, why, completion = await self.rewriter.rewrite(candidate, removal)
            context.add_usage(self.name, completion.usage)
            if rewrite is None:
                failed = bool(completion.error)
                return self._verdict(candidate, False, "rewrite_error" if failed else "rewrite_unusable", why, data,
                                     retry=completion.error_kind == TRANSIENT)
            data["rewrite"] = {"query": rewrite.query, "question": rewrite.question}
            parameters = self.catalog.parameters([removal.function]).get(removal.function, {})
            if states(rewrite.query, removal, parameters):
                return self._verdict(candidate, False, "value_still_in_query",
                                     f"the rewritten query still states {removal.argument} = "
                                     f"{json.dumps(removal.value, ensure_ascii=False)}: {rewrite.query[:300]!r}", data)
            if self.settings.missing_parameter_answer == "clarify":
                if not rewrite.question:
                    return self._verdict(candidate, False, "rewrite_unusable", "the rewrite has no clarifying question", data)
                text = rewrite.question
            derived = Candidate(derived_id(candidate), candidate.sample_id, candidate.position, "missing_parameter",
                                candidate.api_names, rewrite.query)
        form = self.format.verdict(derived)
        if not form.passed:
            return self._verdict(candidate, False, "derived_row_invalid", f"{form.reason}: {form.detail}", data)
        verdict = await self._solve(candidate, derived, context, data)
        if verdict.passed:
            context.example = Example(derived.candidate_id, derived.sample_id, derived.query,
                                      tuple(self.catalog.tools(derived.api_names)), (), style=derived.style,
                                      assistant_text=text)
        return verdict

    async def _solve(self, candidate: Candidate, derived: Candidate, context: StageContext, data: dict[str, Any]) -> Verdict:
        """Kept when no solver answer calls a function and at least min_agree answers are no call."""
        answers, completions = await self.solver.answers(derived)
        for completion in completions:
            context.add_usage(self.name, completion.usage)
        solved = [[c.to_dict() for c in calls] if calls is not None else None for calls, _ in answers]
        data = {**data, "tools": list(derived.api_names), "answers": solved}
        calling = [s for s in solved if s]
        if calling:
            return self._verdict(candidate, False, SERVES[derived.style],
                                 f"{len(calling)}/{len(answers)} solver answers call a function; first: "
                                 f"{json.dumps(calling[0], ensure_ascii=False)[:600]}", data)
        no_call = sum(1 for s in solved if s == [])
        if no_call < self.min_agree:
            why = next((w for calls, w in answers if calls is None), "")
            return self._verdict(candidate, False, "solver_error", f"{no_call} usable solver answer(s): {why}", data,
                                 retry=_transient(completions))
        return self._verdict(candidate, True, "ok", f"{no_call}/{len(answers)} solver answers make no call", data)


def _transient(completions: list[Completion]) -> bool:
    return any(c.error_kind == TRANSIENT for c in completions)


def build_stage(env: StageEnv) -> RelevanceStage:
    cfg = env.cfg
    for template in (cfg.prompt.relevance_solver, cfg.prompt.rewrite):
        env.renderer.check(template)
    solver_settings = solver_config(cfg)
    solver = RoundTripStage(env.catalog, LLMClient(solver_settings, role="solver"), env.renderer,
                            cfg.prompt.relevance_solver, cfg.verifier.roundtrip.k, cfg.verifier.roundtrip.min_agree,
                            solver_settings.temperature)
    rewriter = Rewriter(LLMClient(generator_config(cfg), role="rewrite"), env.renderer, cfg.prompt.rewrite, env.catalog)
    stage = RelevanceStage(env.catalog, build_format(env), solver, rewriter, cfg.derive, cfg.verifier.roundtrip.min_agree)
    # Render once now: a template that needs a variable it is not given fails before any LLM call.
    api = env.catalog.specs[0]
    probe = Candidate("probe", "probe", 0, "irrelevance", (api.name,), "probe")
    solver.messages(probe)
    rewriter.messages("probe", Removal(api.name, "probe", "probe"))
    return stage
