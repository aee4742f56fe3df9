"""Derived relevance rows: from a candidate that passed every other stage, a row whose right answer
is no call (verified by the relevance stage, apigen/verify/relevance.py).

- **irrelevance**: the functions the candidate calls are taken out of its offered tools; the others
  (distractors) stay. When none stay (a simple row offers one tool), distractors are drawn from
  the catalog, from the removed function's category first (the hardest to tell apart).
- **missing_parameter**: one required value the query states is chosen; an LLM rewrite of the
  query leaves it out and writes the clarifying question an assistant would ask.

Every choice is drawn from an RNG seeded by the derived row's id, so a rerun or a resume derives
the same row.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from apigen.catalog import Catalog
from apigen.config import RangeConfig
from apigen.llm.client import LLMClient
from apigen.matching.values import equals_default, property_schema
from apigen.parsing import reply_json
from apigen.prompting import PromptRenderer
from apigen.records import Candidate, Completion, ToolCall
from apigen.sampling import removable_parameters
from apigen.verify.grounding import trace_calls


def derived_id(candidate: Candidate) -> str:
    return f"{candidate.candidate_id}~{candidate.derive}"


def irrelevance_tools(candidate: Candidate, catalog: Catalog, distractors: RangeConfig) -> tuple[str, ...]:
    """The offered tools without the functions the candidate calls, or distractors from the catalog
    when that leaves none."""
    called = {c.name for c in candidate.calls}
    remaining = tuple(n for n in candidate.api_names if n not in called)
    if remaining:
        return remaining
    rng = random.Random(derived_id(candidate))
    wanted = rng.randint(distractors.min, distractors.max)
    categories = {spec.category for spec in catalog.specs_for(sorted(called))}
    near = [s.name for s in catalog.specs if s.category in categories and s.name not in called]
    far = [s.name for s in catalog.specs if s.category not in categories and s.name not in called]
    chosen = rng.sample(near, min(wanted, len(near)))
    return tuple(chosen + rng.sample(far, min(wanted - len(chosen), len(far))))


@dataclass(frozen=True)
class Removal:
    """The value a missing_parameter row takes out of the query."""

    function: str
    argument: str
    value: Any


def states(query: str, removal: Removal, parameters: dict[str, Any]) -> bool:
    """True when the query states the value (traced as the grounding stage traces values:
    verbatim or normalised text, numbers, number words, dates) and the value is not the default."""
    if equals_default(removal.value, property_schema(parameters, removal.argument)):
        return False
    trace = trace_calls(query, [ToolCall(removal.function, {removal.argument: removal.value})],
                        {removal.function: parameters})
    return not trace.untraced and not trace.exempt


def pick_removal(candidate: Candidate, catalog: Catalog) -> Removal | None:
    """A required text or number value of the candidate's call that its query states; None when
    there is none (or the row has more than one call)."""
    if len(candidate.calls) != 1:
        return None
    call = candidate.calls[0]
    spec = catalog.get(call.name)
    if spec is None:
        return None
    options = [Removal(call.name, arg, call.arguments[arg]) for arg in removable_parameters(spec)
               if arg in call.arguments]
    options = [r for r in options if states(candidate.query, r, spec.parameters)]
    return random.Random(derived_id(candidate)).choice(options) if options else None


REWRITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"query": {"type": "string", "minLength": 1, "maxLength": 2000},
                   "question": {"type": "string", "minLength": 1, "maxLength": 500}},
    "required": ["query", "question"],
}


@dataclass(frozen=True)
class Rewrite:
    query: str
    question: str


class Rewriter:
    """Asks a model to rewrite a query without one value, and to write the clarifying question."""

    def __init__(self, client: LLMClient, renderer: PromptRenderer, template: str, catalog: Catalog):
        self.client, self.renderer, self.template, self.catalog = client, renderer, template, catalog

    def messages(self, query: str, removal: Removal) -> tuple[dict[str, str], ...]:
        spec = self.catalog.get(removal.function)
        tool = spec.tool_schema() if spec is not None else {"name": removal.function}
        return self.renderer.render_messages(self.template, query=query, tool=tool, argument=removal.argument,
                                             value=json.dumps(removal.value, ensure_ascii=False))

    async def rewrite(self, candidate: Candidate, removal: Removal) -> tuple[Rewrite | None, str, Completion]:
        """(the rewrite, "") or (None, why the reply is unusable), and the completion."""
        completion = await self.client.complete(candidate.sample_id, self.messages(candidate.query, removal),
                                                schema=REWRITE_SCHEMA, temperature=0.0)
        data, why = reply_json(completion, "rewrite")
        if why:
            return None, why, completion
        if not isinstance(data, dict) or not isinstance(data.get("query"), str) or not data["query"].strip():
            return None, "rewrite reply has no non-empty 'query'", completion
        question = data.get("question")
        return Rewrite(data["query"].strip(), question.strip() if isinstance(question, str) else ""), "", completion
