"""Turning a generator completion into candidates. Model output is data: this never raises.

Structural problems become candidates carrying a ``parse_error`` code that the format check
turns into a rejection: the whole reply when it is not usable JSON, one pair when only that pair
is malformed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from apigen.records import ApiSpec, Candidate, Completion, SampleRequest, ToolCall

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)

_SCHEMA_NOISE = ("description", "default", "examples", "title")
# Bounds for constrained decoding only: a small model under a grammar can otherwise fill an
# unbounded array or string until max_tokens (seen: a 1,024-token list of numbers).
_MAX_ITEMS, _MAX_STRING, _MAX_QUERY = 8, 160, 400


# Keywords whose values are schemas (one, a list, or a name -> schema map); everything else, such
# as enum and const values, is data and is copied as is.
_SUBSCHEMA, _SUBSCHEMA_LISTS, _SUBSCHEMA_MAPS = ("items", "not"), ("anyOf", "oneOf", "allOf", "prefixItems"), ("properties",)


def _grammar_schema(schema: Any) -> Any:
    """A parameter schema for constrained decoding: no prose keys, no unknown arguments, bounded
    arrays and strings."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_NOISE:
            continue
        if key in _SUBSCHEMA:
            out[key] = _grammar_schema(value)
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            out[key] = [_grammar_schema(s) for s in value]
        elif key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _grammar_schema(s) for name, s in value.items()}
        else:
            out[key] = value
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    if out.get("type") == "array":
        out.setdefault("maxItems", _MAX_ITEMS)
    if out.get("type") == "string" and "enum" not in out and "pattern" not in out:
        out.setdefault("maxLength", _MAX_STRING)
    return out


def call_schema(specs: list[ApiSpec]) -> dict[str, Any]:
    """One call of one of these functions, with that function's own argument schema."""
    variants = [
        {"type": "object", "properties": {"name": {"const": s.name}, "arguments": _grammar_schema(s.parameters)},
         "required": ["name", "arguments"]}
        for s in specs
    ]
    return variants[0] if len(variants) == 1 else {"anyOf": variants}


MAX_ANSWER_CALLS = 8  # bounds a constrained answer: a small model can otherwise repeat calls until max_tokens


def answer_schema(specs: list[ApiSpec], min_calls: int = 0, max_calls: int = MAX_ANSWER_CALLS) -> dict[str, Any]:
    """The reply {"calls": [...]} of a model answering a query from these functions (the round-trip
    solver, a model under evaluation), for backends that constrain decoding."""
    calls = {"type": "array", "items": call_schema(specs), "minItems": min_calls, "maxItems": max_calls}
    return {"type": "object", "properties": {"calls": calls}, "required": ["calls"]}


def generation_schema(request: SampleRequest, specs: list[ApiSpec]) -> dict[str, Any]:
    """The reply schema for one request, for backends that constrain decoding (the embedded
    model): exactly ``num_queries`` pairs, calls only to the offered functions with their own
    argument schemas, and as many calls per query as the style needs. The format check still
    verifies every reply: this only spends fewer tokens on replies that would be rejected."""
    few, many = (1, 1) if request.style in ("simple", "multiple") else (2, 4)
    # Calls before the query: under a grammar, keys are generated in schema order, and a small
    # model that first commits to real calls of the offered functions then writes a query that
    # fits them; query-first, it writes a query and then is forced into calls that do not fit.
    pair = {
        "type": "object",
        "properties": {"answers": {"type": "array", "items": call_schema(specs), "minItems": few, "maxItems": many},
                       "query": {"type": "string", "minLength": 1, "maxLength": _MAX_QUERY}},
        "required": ["answers", "query"],
    }
    return {
        "type": "object",
        "properties": {"pairs": {"type": "array", "items": pair, "minItems": request.num_queries, "maxItems": request.num_queries}},
        "required": ["pairs"],
    }


def reply_json(completion: Completion, role: str) -> tuple[Any, str]:
    """(the JSON value of a model's reply, "") or (None, why the reply is unusable)."""
    if completion.error:
        return None, f"{role} call failed: {completion.error}"
    if completion.finish_reason == "length":
        return None, f"{role} reply truncated at max_tokens"
    try:
        return loads_lenient(completion.text), ""
    except (ValueError, RecursionError):
        return None, f"{role} reply is not JSON: {completion.text[:200]!r}"


def loads_lenient(text: str) -> Any:
    """json.loads after stripping a Markdown code fence; raises ValueError."""
    match = _FENCE.match(text)
    return json.loads(match.group(1) if match else text.strip())


def _whole_reply_error(request: SampleRequest, completion: Completion, code: str, detail: str) -> list[Candidate]:
    return [Candidate(
        candidate_id=f"{request.sample_id}-0", sample_id=request.sample_id, position=0,
        style=request.style, api_names=request.api_names,
        parse_error=code, parse_detail=detail, raw=completion.text[:20000],
    )]


def _parse_pair(item: Any) -> tuple[str, tuple[ToolCall, ...], str | None, str]:
    """(query, calls, error code, detail) of one pair."""
    if not isinstance(item, dict):
        return "", (), "wrong_field_type", f"pair must be an object, got {type(item).__name__}"
    query = item.get("query")
    answers = item.get("answers")
    if "query" not in item or "answers" not in item:
        missing = [k for k in ("query", "answers") if k not in item]
        return str(query or ""), (), "missing_field", f"pair lacks {missing}"
    if not isinstance(query, str):
        return "", (), "wrong_field_type", f"'query' must be a string, got {type(query).__name__}"
    if not isinstance(answers, list):
        return query, (), "wrong_field_type", f"'answers' must be a list, got {type(answers).__name__}"
    calls, error, detail = parse_calls(answers)
    return query, calls, error, detail


def parse_calls(answers: list[Any]) -> tuple[tuple[ToolCall, ...], str | None, str]:
    """(calls, error code, detail) of a list of {name, arguments} objects."""
    calls = []
    for i, call in enumerate(answers):
        if not isinstance(call, dict) or "name" not in call or "arguments" not in call:
            return (), "missing_field", f"answers[{i}] must be an object with 'name' and 'arguments'"
        name, arguments = call["name"], call["arguments"]
        if isinstance(arguments, str):  # some models JSON-encode the arguments a second time
            try:
                arguments = json.loads(arguments)
            except ValueError:
                pass
        if not isinstance(name, str) or not isinstance(arguments, dict):
            return (), "wrong_field_type", f"answers[{i}]: 'name' must be a string and 'arguments' an object"
        calls.append(ToolCall(name=name, arguments=arguments))
    return tuple(calls), None, ""


def read_calls_reply(completion: Completion, role: str) -> tuple[tuple[ToolCall, ...] | None, str]:
    """(calls, why not) of a reply {"calls": [...]} (or a bare list of calls); calls is None when
    the reply is unusable."""
    data, unusable = reply_json(completion, role)
    if unusable:
        return None, unusable
    answers = data.get("calls") if isinstance(data, dict) else data
    if not isinstance(answers, list):
        return None, f"{role} reply has no 'calls' list"
    calls, error, detail = parse_calls(answers)
    return (None, f"{role} reply: {detail}") if error else (calls, "")


def parse_completion(request: SampleRequest, completion: Completion) -> list[Candidate]:
    if completion.finish_reason == "length":
        return _whole_reply_error(request, completion, "truncated", "the reply hit max_tokens before it ended")
    try:
        data = loads_lenient(completion.text)
    except (ValueError, RecursionError) as exc:
        return _whole_reply_error(request, completion, "invalid_json", f"not JSON: {exc}"[:300])
    if isinstance(data, dict) and "pairs" in data:
        pairs = data["pairs"]
    elif isinstance(data, list):
        pairs = data
    elif isinstance(data, dict) and "query" in data:
        pairs = [data]
    else:
        return _whole_reply_error(request, completion, "missing_field", "reply has no 'pairs' list")
    if not isinstance(pairs, list) or not pairs:
        return _whole_reply_error(request, completion, "missing_field", "'pairs' must be a non-empty list")
    candidates = []
    for position, item in enumerate(pairs):
        query, calls, error, detail = _parse_pair(item)
        candidates.append(Candidate(
            candidate_id=f"{request.sample_id}-{position}", sample_id=request.sample_id, position=position,
            style=request.style, api_names=request.api_names, query=query, calls=calls,
            parse_error=error, parse_detail=detail,
            raw=json.dumps(item, ensure_ascii=False)[:20000] if error else "",
        ))
    return candidates
