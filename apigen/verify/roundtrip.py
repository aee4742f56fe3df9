"""The round-trip stage: a solver model answers the candidate's query from the offered tools
alone, ``k`` times, without seeing the candidate's calls; the candidate passes when at least
``min_agree`` answers match its calls (apigen.matching, in BFCL's manner).

A generator that invents a value the query does not state, calls a function that does not serve
the query, or leaves out or adds a call, disagrees with a solver that reads only the query. The
first answer is greedy; the others are sampled (each with its own seed), so a correct candidate
whose value the solver writes in another surface form has more than one chance to match.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from apigen.catalog import Catalog
from apigen.llm.client import TRANSIENT, LLMClient
from apigen.llm.roles import is_local, solver_config
from apigen.matching import MatchResult, match_calls
from apigen.parsing import MAX_ANSWER_CALLS, answer_schema, read_calls_reply
from apigen.prompting import PromptRenderer
from apigen.records import DERIVED_STYLES, Candidate, Completion, ToolCall, Verdict
from apigen.verify.chain import StageContext, StageEnv

Answer = tuple[tuple[ToolCall, ...] | None, str]  # (calls, why not): calls is None when unusable


def read_answer(completion: Completion) -> Answer:
    """(calls, why not) of one solver reply; calls is None when the reply is unusable."""
    return read_calls_reply(completion, "solver")


class RoundTripStage:
    name = "roundtrip"

    def __init__(self, catalog: Catalog, client: LLMClient, renderer: PromptRenderer, template: str,
                 k: int = 2, min_agree: int = 1, temperature: float = 0.7):
        self.catalog, self.client, self.renderer, self.template = catalog, client, renderer, template
        self.k, self.min_agree, self.temperature = k, min_agree, temperature
        self.seeded = is_local(client.cfg.model)  # remote providers may refuse a seed

    def messages(self, candidate: Candidate) -> tuple[dict[str, str], ...]:
        return self.renderer.render_messages(self.template, tools=self.catalog.tools(candidate.api_names),
                                             query=candidate.query, many_calls=_many_calls(candidate.style))

    def schema(self, candidate: Candidate) -> dict[str, Any]:
        """Answers constrained to calls of the offered functions (used by the embedded model), as
        many as the query's style asks for."""
        if candidate.style in DERIVED_STYLES:  # a relevance check: no call is an answer too
            few, many = 0, MAX_ANSWER_CALLS
        else:
            few, many = (2, MAX_ANSWER_CALLS) if _many_calls(candidate.style) else (1, 1)
        return answer_schema(self.catalog.specs_for(candidate.api_names), few, many)

    async def _answer(self, candidate: Candidate, messages: tuple[dict[str, str], ...], schema: dict[str, Any],
                      index: int) -> Completion:
        temperature = 0.0 if index == 0 else self.temperature
        return await self.client.complete(candidate.sample_id, messages, schema, temperature=temperature,
                                          seed=index if self.seeded else None, draw=index)

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        verdict, completions = await self.solve(candidate)
        for completion in completions:
            context.add_usage(self.name, completion.usage)
        return verdict

    async def solve(self, candidate: Candidate) -> tuple[Verdict, list[Completion]]:
        """The verdict on one candidate, and the solver's completions."""
        answers, completions = await self.answers(candidate)
        verdict = self.decide(candidate, answers)
        if verdict.reason == "solver_error" and any(c.error_kind == TRANSIENT for c in completions):
            # Answers lost to calls that failed after retries can be had later: a rerun asks again.
            verdict = replace(verdict, retry=True)
        return verdict, completions

    async def answers(self, candidate: Candidate) -> tuple[list[Answer], list[Completion]]:
        """The solver's k answers to the candidate's query (they depend on the query, the offered
        functions and the style, never on the calls), and its completions."""
        messages, schema = self.messages(candidate), self.schema(candidate)
        # Asked together, the k answers queue back to back on an embedded model, which then
        # reuses the evaluated prompt for all of them.
        completions = list(await asyncio.gather(*(self._answer(candidate, messages, schema, i) for i in range(self.k))))
        return [read_answer(c) for c in completions], completions

    def decide(self, candidate: Candidate, answers: list[Answer]) -> Verdict:
        schemas = self.catalog.parameters(candidate.api_names)
        results: list[MatchResult | None] = [
            match_calls(candidate.calls, calls, schemas) if calls is not None else None for calls, _ in answers
        ]
        agree = sum(1 for r in results if r is not None and r.matched)
        solved = [[c.to_dict() for c in calls] if calls is not None else None for calls, _ in answers]
        data: dict[str, Any] = {
            "answers": solved,
            "matches": [r.matched if r is not None else None for r in results],
            "reasons": [r.reason if r is not None else why for r, (_, why) in zip(results, answers)],
        }
        if agree >= self.min_agree:
            return Verdict(candidate.candidate_id, self.name, True, "ok", f"{agree}/{self.k} solver answers match", data)
        disagreements = [(i, r) for i, r in enumerate(results) if r is not None and not r.matched]
        if not disagreements:
            return Verdict(candidate.candidate_id, self.name, False, "solver_error",
                           f"no usable solver answer: {answers[0][1]}", data)
        i, first = disagreements[0]
        calls = json.dumps(solved[i], ensure_ascii=False)
        return Verdict(candidate.candidate_id, self.name, False, "solver_disagrees",
                       f"{agree}/{self.k} solver answers match (need {self.min_agree}); answer {i}: {first.detail}; "
                       f"solver called {calls[:600]}", data)


def _many_calls(style: str) -> bool:
    return style in ("parallel", "parallel_multiple")


def build_stage(env: StageEnv) -> RoundTripStage:
    settings = env.cfg.verifier.roundtrip
    env.renderer.check(env.cfg.prompt.solver)
    solver = solver_config(env.cfg)
    stage = RoundTripStage(env.catalog, LLMClient(solver, role="solver"), env.renderer, env.cfg.prompt.solver,
                           settings.k, settings.min_agree, solver.temperature)
    # Render once now: a template that needs a variable it is not given fails before any LLM call.
    api = env.catalog.specs[0]
    stage.messages(Candidate("probe", "probe", 0, "simple", (api.name,), "probe", (ToolCall(api.name, {}),)))
    return stage
