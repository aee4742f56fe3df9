"""Stage 3, the semantic check: an LLM judge decides whether the calls and their results match
the query's intent. One judge, or a committee of several, each asked ``votes`` times; the
candidate passes when the share of passing votes reaches ``pass_threshold``. A failed call or an
unreadable reply is retried, then is a rejection (judge_error / judge_unparseable), never a crash."""

from __future__ import annotations

import asyncio
from typing import Any, NamedTuple

from apigen.catalog import Catalog
from apigen.llm.client import REQUEST, TRANSIENT, LLMClient
from apigen.llm.roles import judge_configs
from apigen.parsing import reply_json
from apigen.prompting import PromptRenderer
from apigen.records import Candidate, Completion, ExecutionResult, ToolCall, Verdict
from apigen.verify.chain import StageContext, StageEnv

# The judge answers a checklist before its verdict; every check a reply contains must hold as
# well as "passed", so a model that says "passed" after failing a check does not pass the item.
# A plain {"thought", "passed"} reply (the paper's format, or a custom template) is read too.
JUDGE_CHECKS = ("calls_fit_request", "values_from_query", "results_answer_request")
_SHORT = {"type": "string", "maxLength": 200}  # bounds apply to constrained decoding only
JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        # Order matters for constrained decoding: what the functions do is stated from their
        # descriptions before the query is restated, so the first is not copied from the second.
        "calls_do": _SHORT,
        "user_wants": _SHORT,
        **{check: {"type": "boolean"} for check in JUDGE_CHECKS},
        "thought": {"type": "string", "maxLength": 400},
        "passed": {"type": "boolean"},
    },
    "required": ["calls_do", "user_wants", *JUDGE_CHECKS, "thought", "passed"],
}


def read_judgement(completion: Completion) -> tuple[bool | None, str]:
    """(passed, thought); passed is None when the reply is unusable, thought then says why."""
    data, unusable = reply_json(completion, "judge")
    if unusable:
        return None, unusable
    if not isinstance(data, dict):
        return None, "judge reply is not a JSON object"
    verdict = data.get("passed", data.get("pass"))
    if not isinstance(verdict, bool):
        return None, "judge reply lacks a boolean 'passed'"
    thought = str(data.get("thought", ""))[:2000]
    failed = [check for check in JUDGE_CHECKS if data.get(check) is False]
    if verdict and failed:
        return False, f"{thought} (failed checks: {', '.join(failed)})".strip()
    return verdict, thought


def result_view(result: ExecutionResult) -> dict[str, Any]:
    """What the judge is shown of one executed call: its value or its error, and what it printed
    (timings are left out: they would make the judge's prompt differ from run to run)."""
    view: dict[str, Any] = {"name": result.name, "ok": result.ok}
    if result.ok:
        view["result"] = result.result
    else:
        view["error"] = f"{result.error_type}: {result.message}"
    view.update({k: v for k, v in (("stdout", result.stdout), ("stderr", result.stderr)) if v})
    return view


class _Ballot(NamedTuple):
    passed: bool | None  # None: no usable vote after retries
    thought: str
    failed_call: bool  # whether the last failure was a failed call (not an unreadable reply)
    completions: list[Completion]
    error_kind: str = ""  # of the last failed call: TRANSIENT (a rerun may get the vote) or REQUEST


class SemanticJudge:
    """One judge, or a committee of judges whose votes are pooled. Each judge (``clients``) is
    asked its number of votes; one vote whose call failed or whose reply cannot be read is asked
    again up to ``retries`` more times, then counts as no vote (it still counts in the total)."""

    def __init__(self, catalog: Catalog, clients: list[LLMClient] | LLMClient, renderer: PromptRenderer, template: str,
                 votes: int | list[int] = 1, pass_threshold: float = 1.0, retries: int = 0):
        self.catalog, self.renderer, self.template = catalog, renderer, template
        self.clients = clients if isinstance(clients, list) else [clients]
        self.votes = votes if isinstance(votes, list) else [votes] * len(self.clients)
        self.pass_threshold, self.retries = pass_threshold, retries

    name = "semantic"

    def messages(self, candidate: Candidate, results: tuple[ExecutionResult, ...],
                 untraced: dict[str, list[Any]] | None = None) -> tuple[dict[str, str], ...]:
        return self.renderer.render_messages(
            self.template, tools=self.catalog.tools(candidate.api_names), query=candidate.query,
            calls=[c.to_dict() for c in candidate.calls], results=[result_view(r) for r in results],
            untraced=untraced or {},
        )

    async def _vote(self, client: LLMClient, candidate: Candidate,
                    messages: tuple[dict[str, str], ...], seat: int = 0) -> _Ballot:
        passed, thought, failed_call = None, "", False
        completions: list[Completion] = []
        for attempt in range(1 + self.retries):
            # draw: which ask this is, so that cached votes of one seat are not another's
            completion = await client.complete(candidate.sample_id, messages, schema=JUDGE_SCHEMA,
                                               draw=seat * (1 + self.retries) + attempt)
            completions.append(completion)
            passed, thought = read_judgement(completion)
            failed_call = bool(completion.error)
            if passed is not None or completion.error_kind == REQUEST:  # a refused prompt stays refused
                break
        return _Ballot(passed, thought, failed_call, completions, completion.error_kind)

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        verdict, completions = await self.judge(candidate, context.executions, context.untraced)
        for completion in completions:
            context.add_usage(self.name, completion.usage)
        return verdict

    async def judge(self, candidate: Candidate, results: tuple[ExecutionResult, ...],
                    untraced: dict[str, list[Any]] | None = None) -> tuple[Verdict, list[Completion]]:
        """The committee's verdict on one candidate, and every completion it took; ``untraced``:
        the values the grounding stage did not find in the query, for the judge to weigh."""
        messages = self.messages(candidate, results, untraced)
        # Every vote of every judge is asked at once: remote judges answer in parallel, and an
        # embedded judge queues them back to back on its thread.
        seats = [client for client, count in zip(self.clients, self.votes) for _ in range(count)]
        ballots = await asyncio.gather(*(self._vote(client, candidate, messages, seat) for seat, client in enumerate(seats)))
        votes = [b.passed for b in ballots]
        thoughts = [b.thought for b in ballots]
        judges = [client.cfg.model for client in seats]
        completions = [c for b in ballots for c in b.completions]
        call_failures = sum(1 for b in ballots if b.passed is None and b.failed_call)
        data = {"votes": votes, "thoughts": thoughts, "judges": judges, "attempts": len(completions)}
        yes = sum(1 for v in votes if v is True)
        share = yes / len(votes)
        if share >= self.pass_threshold:
            return Verdict(candidate.candidate_id, self.name, True, "ok", thoughts[votes.index(True)], data), completions
        if any(v is False for v in votes):
            first_no = next(t for v, t in zip(votes, thoughts) if v is False)
            return Verdict(candidate.candidate_id, self.name, False, "judge_rejected",
                           f"{yes}/{len(votes)} votes passed (need {self.pass_threshold:.0%}): {first_no}", data), completions
        # No vote said no: the threshold was missed because votes could not be had.
        reason = "judge_error" if call_failures else "judge_unparseable"
        unread = next(t for v, t in zip(votes, thoughts) if v is None)
        # Votes lost to calls that failed after retries can be had later: a rerun asks again.
        retry = any(b.passed is None and b.failed_call and b.error_kind == TRANSIENT for b in ballots)
        return Verdict(candidate.candidate_id, self.name, False, reason,
                       f"{yes}/{len(votes)} votes passed, {votes.count(None)} unreadable after retries: {unread}", data,
                       retry=retry), completions


def build_stage(env: StageEnv) -> SemanticJudge:
    semantic = env.cfg.verifier.semantic
    judges = judge_configs(env.cfg)
    env.renderer.check(env.cfg.prompt.judge)
    stage = SemanticJudge(env.catalog, [LLMClient(c, role="judge") for c, _ in judges], env.renderer,
                          env.cfg.prompt.judge, [v for _, v in judges], semantic.pass_threshold, semantic.retries)
    # Render once now: a template that needs a variable it is not given fails before any LLM call.
    api = env.catalog.specs[0]
    stage.messages(Candidate("probe", "probe", 0, "simple", (api.name,), "probe", (ToolCall(api.name, {}),)), ())
    return stage
