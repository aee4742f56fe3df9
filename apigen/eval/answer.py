"""Asking the model under test to answer one item: natively (``tools=`` through litellm, the
model's own tool-calling form) or through a prompt template whose JSON reply is parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apigen.catalog.formats import to_openai_tool
from apigen.eval.items import EvalItem
from apigen.llm.client import LLMClient
from apigen.parsing import answer_schema, parse_calls, read_calls_reply
from apigen.prompting import PromptRenderer
from apigen.records import Completion, Record, ToolCall, Usage

_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # what OpenAI's tools= accepts


@dataclass(frozen=True)
class ModelAnswer(Record):
    """The model's calls, or why there are none to score: ``error`` (the call failed) or
    ``unreadable`` (the reply could not be read as calls; scored as a wrong answer)."""

    calls: tuple[ToolCall, ...] = ()
    text: str = ""
    error: str = ""
    unreadable: str = ""
    usage: Usage = Usage()
    latency_s: float = 0.0


def tool_names(item: EvalItem) -> dict[str, str]:
    """Each tool's name as sent to the model -> its name in the item. Names a tools= API refuses
    ("math.factorial") are sent with the other characters as "_" (BFCL does the same)."""
    sent: dict[str, str] = {}
    for tool in item.tools:
        name = tool.name if _TOOL_NAME.match(tool.name) else re.sub(r"[^a-zA-Z0-9_-]", "_", tool.name)[:64]
        while name in sent:
            name = (name[:60] + "_") + str(len(sent))
        sent[name] = tool.name
    return sent


def _from_completion(completion: Completion, calls: tuple[ToolCall, ...] = (), unreadable: str = "") -> ModelAnswer:
    return ModelAnswer(calls, completion.text, completion.error or "", unreadable, completion.usage, completion.latency_s)


async def ask_native(client: LLMClient, item: EvalItem) -> ModelAnswer:
    names = tool_names(item)
    tools = [to_openai_tool({**t.tool_schema(), "name": sent}) for sent, t in zip(names, item.tools)]
    completion = await client.complete(item.id, ({"role": "user", "content": item.query},), tools=tools)
    if completion.error:
        return _from_completion(completion)
    raw = [{"name": names.get(c.get("name") or "", c.get("name")), "arguments": c.get("arguments")} for c in completion.tool_calls]
    calls, error, detail = parse_calls(raw)
    return _from_completion(completion, calls, f"{error}: {detail}" if error else "")


async def ask_prompt(client: LLMClient, renderer: PromptRenderer, template: str, item: EvalItem) -> ModelAnswer:
    messages = renderer.render_messages(template, tools=[t.tool_schema() for t in item.tools], query=item.query)
    # Under the embedded model the reply is constrained to calls of the offered functions, or none.
    schema = answer_schema(list(item.tools)) if client.is_local and item.tools else None
    completion = await client.complete(item.id, messages, schema=schema)
    if completion.error:
        return _from_completion(completion)
    calls, unusable = read_calls_reply(completion, "model")
    return _from_completion(completion, calls or (), unusable)
