"""One kept example, rendered for each trainer's format. Same rows, different renderings: a
trainer can mix them to avoid overfitting to one format. A row with no calls (``answers`` empty,
the right answer is no call) is the assistant's text where the format has text turns.

  xlam         {"id", "query", "tools", "answers"}, tools and answers as JSON strings: the
               xlam-function-calling-60k shape (``apigen eval eval=file`` reads it back).
  openai       {"messages": [user, assistant], "tools": [OpenAI tools]}, the assistant message
               with ``tool_calls`` (or its text for a no-call row): OpenAI's fine-tuning chat
               format, read by TRL's SFTTrainer (a "tools" column) and axolotl's chat_template.
  sharegpt     {"conversations": [human, function_call | gpt], "tools": "<JSON>"}: LLaMA-Factory's
               sharegpt format with tools (columns messages=conversations, tools=tools).
  bfcl_python  {"id", "question": [[user]], "function": [BFCL tools], "answer": "[f(a=1)]"}: BFCL's
               question shape with the answer as a Python call string (no call: "[]"), for
               prompt-mode training; ``python_calls.parse_calls`` reads the answer back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from apigen.catalog.formats import to_bfcl_tool, to_openai_tool, to_xlam_tool
from apigen.export.python_calls import format_calls
from apigen.records import Example
from apigen.surrogates import replace_surrogates


def valid_unicode(example: Example) -> Example:
    """The example with lone surrogates in model text as U+FFFD: exported files are valid Unicode."""
    return Example.from_json(replace_surrogates(example.to_json()))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _calls(example: Example) -> list[dict[str, Any]]:
    return [c.to_dict() for c in example.answers]


def xlam_row(example: Example, row_id: Any) -> dict[str, Any]:
    return {"id": row_id, "query": example.query, "tools": _json([to_xlam_tool(t) for t in example.tools]),
            "answers": _json(_calls(example))}


def openai_row(example: Example, row_id: Any = None) -> dict[str, Any]:
    assistant: dict[str, Any] = {"role": "assistant", "content": example.assistant_text}
    if example.answers:
        assistant["tool_calls"] = [{"id": f"call_{i}", "type": "function", "function": {"name": c.name, "arguments": _json(c.arguments)}}
                                   for i, c in enumerate(example.answers)]
    return {"messages": [{"role": "user", "content": example.query}, assistant],
            "tools": [to_openai_tool(t) for t in example.tools]}


def sharegpt_row(example: Example, row_id: Any = None) -> dict[str, Any]:
    answer = ({"from": "function_call", "value": _json(_calls(example))} if example.answers
              else {"from": "gpt", "value": example.assistant_text})
    return {"conversations": [{"from": "human", "value": example.query}, answer], "tools": _json(list(example.tools))}


def bfcl_python_row(example: Example, row_id: Any) -> dict[str, Any]:
    """Raises python_calls.NotPythonExpressible for a call with no Python spelling."""
    return {"id": row_id, "question": [[{"role": "user", "content": example.query}]],
            "function": [to_bfcl_tool(t) for t in example.tools], "answer": format_calls(example.answers)}


RENDERINGS: dict[str, Callable[[Example, Any], dict[str, Any]]] = {
    "xlam": xlam_row, "openai": openai_row, "sharegpt": sharegpt_row, "bfcl_python": bfcl_python_row,
}
