"""Stage 3, the semantic check: an LLM judge decides whether the calls and their results match
the query's intent. It is asked ``votes`` times; the candidate passes when the share of passing
votes reaches ``pass_threshold``. A reply that cannot be read is a rejection, never a crash."""

from __future__ import annotations

from typing import Any

from apigen.catalog import Catalog
from apigen.llm.client import LLMClient
from apigen.parsing import loads_lenient
from apigen.prompting import PromptRenderer
from apigen.records import Candidate, Completion, Verdict

JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"thought": {"type": "string"}, "passed": {"type": "boolean"}},
    "required": ["thought", "passed"],
}


def read_judgement(completion: Completion) -> tuple[bool | None, str]:
    """(passed, thought); passed is None when the reply is unusable, thought then says why."""
    if completion.error:
        return None, f"judge call failed: {completion.error}"
    if completion.finish_reason == "length":
        return None, "judge reply truncated at max_tokens"
    try:
        data = loads_lenient(completion.text)
    except (ValueError, RecursionError):
        return None, f"judge reply is not JSON: {completion.text[:200]!r}"
    if not isinstance(data, dict):
        return None, "judge reply is not a JSON object"
    verdict = data.get("passed", data.get("pass"))
    if not isinstance(verdict, bool):
        return None, "judge reply lacks a boolean 'passed'"
    return verdict, str(data.get("thought", ""))[:2000]


class SemanticJudge:
    def __init__(self, catalog: Catalog, client: LLMClient, renderer: PromptRenderer, template: str,
                 votes: int = 1, pass_threshold: float = 1.0):
        self.catalog, self.client, self.renderer = catalog, client, renderer
        self.template, self.votes, self.pass_threshold = template, votes, pass_threshold

    def messages(self, candidate: Candidate, results: list[dict[str, Any]]) -> tuple[dict[str, str], ...]:
        tools = [self.catalog.get(n).tool_schema() for n in candidate.api_names if self.catalog.get(n)]  # type: ignore[union-attr]
        return self.renderer.render_messages(
            self.template, tools=tools, query=candidate.query,
            calls=[c.to_dict() for c in candidate.calls], results=results,
        )

    async def check(self, candidate: Candidate, results: list[dict[str, Any]]) -> tuple[Verdict, list[Completion]]:
        messages = self.messages(candidate, results)
        completions, votes, thoughts = [], [], []
        for _ in range(self.votes):
            completion = await self.client.complete(candidate.sample_id, messages, schema=JUDGE_SCHEMA)
            completions.append(completion)
            passed, thought = read_judgement(completion)
            votes.append(passed)
            thoughts.append(thought)
        readable = [v for v in votes if v is not None]
        data = {"votes": votes, "thoughts": thoughts}
        if not readable:
            return Verdict(candidate.candidate_id, "semantic", False, "judge_unparseable", thoughts[-1], data), completions
        share = sum(readable) / len(votes)
        if share >= self.pass_threshold:
            return Verdict(candidate.candidate_id, "semantic", True, "ok", thoughts[votes.index(True)], data), completions
        first_no = next((t for v, t in zip(votes, thoughts) if v is False), thoughts[0])
        return Verdict(candidate.candidate_id, "semantic", False, "judge_rejected",
                       f"{sum(readable)}/{len(votes)} votes passed (need {self.pass_threshold:.0%}): {first_no}", data), completions
