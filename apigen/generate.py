"""Generation, one sample: request -> prompt -> completion -> candidates.

The request is drawn by the samplers, the prompt rendered from the strict Jinja templates, the
completion asked of the generator model through the litellm adapter, and the reply parsed into
candidates (parse failures become candidates carrying a reason code, never exceptions).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apigen.catalog import Catalog
from apigen.llm.client import REQUEST, LLMClient
from apigen.parsing import generation_schema, parse_completion
from apigen.prompting import PromptRenderer
from apigen.records import GenerationFailure, Prompt, SampleRecord, SampleRequest
from apigen.sampling import FewShotExample, RequestSampler


class Generator:
    def __init__(self, catalog: Catalog, renderer: PromptRenderer, sampler: RequestSampler, client: LLMClient):
        self.catalog, self.renderer = catalog, renderer
        self.sampler, self.client = sampler, client

    @property
    def examples(self) -> dict[str, FewShotExample]:
        """The few-shot examples prompts may draw now, by id (the seed file's, plus the grown pool)."""
        return self.sampler.pool.by_id

    def request(self, index: int) -> SampleRequest:
        return self.sampler.request(index)

    def prompt(self, request: SampleRequest) -> Prompt:
        examples = [{"query": e.query, "answers": e.answers, "tools": e.tools}
                    for e in (self.sampler.pool.get(i) for i in request.example_ids)]
        messages = self.renderer.render_messages(
            request.template, tools=self.catalog.tools(request.api_names),
            returns=self.catalog.returns(request.api_names), examples=examples,
            num_queries=request.num_queries, style=request.style,
        )
        return Prompt(request.sample_id, request.template, messages)

    def schema(self, request: SampleRequest) -> dict[str, Any]:
        """The reply schema for constrained decoding (see parsing.generation_schema)."""
        return generation_schema(request, self.catalog.specs_for(request.api_names))

    async def generate(self, request: SampleRequest, attempt: int = 0) -> SampleRecord | GenerationFailure:
        prompt = self.prompt(request)
        completion = await self.client.complete(request.sample_id, prompt.messages, schema=self.schema(request))
        if completion.error_kind == REQUEST:
            # The provider refused this prompt (too long, ...): the sample is done, with no candidates.
            return SampleRecord(request, prompt, completion, (), attempt)
        if completion.error:
            return GenerationFailure(request, completion)
        candidates = parse_completion(request, completion)
        if request.derive:  # the relevance stage turns these into rows of the derived style
            candidates = [replace(c, derive=request.derive) for c in candidates]
        return SampleRecord(request, prompt, completion, tuple(candidates), attempt)

    def dry_render(self, styles: list[str], templates: list[str]) -> None:
        """Render every template for every style once: a template that needs a variable it is not
        given fails now (StrictUndefined), not after the first LLM call."""
        base = self.request(0)
        for template in templates:
            for style in styles:
                self.prompt(replace(base, template=template, style=style))
