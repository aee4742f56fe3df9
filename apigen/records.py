"""The typed, frozen records that flow between pipeline stages and fill every run file.

ApiSpec -> SampleRequest -> Prompt -> Completion -> Candidate -> Verdict* -> Outcome (-> Example)

Each record round-trips through JSON (``to_dict`` / ``from_dict``, ``to_json`` / ``from_json``):
every line of every run file is one of these and is revived as its type on read. Fields that
carry JSON values from the model or the catalog (arguments, schemas, results) stay plain JSON
types, in the order they came in: nothing is sorted on the way to disk, so a row read back is
byte for byte the row that was written.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

QUERY_STYLES = ("simple", "multiple", "parallel", "parallel_multiple")
# Styles whose rows are derived from a verified row of a base style (apigen/derive.py); the right
# answer of a derived row is no call.
DERIVED_STYLES = ("irrelevance", "missing_parameter")

R = TypeVar("R", bound="Record")


class Record:
    """JSON round-trip for the frozen dataclasses below."""

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives (a fresh copy: records, lists, tuples and dicts rebuilt),
        # without its deepcopy of every leaf: a record is written for every call of a run.
        return {name: _plain(getattr(self, name)) for name in _field_names(type(self))}  # type: ignore[arg-type]

    def to_json(self) -> str:
        # No sort_keys: arguments and schemas keep the order the model or the catalog gave them.
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        kwargs = {name: revive(data[name]) for name, revive in _field_revivers(cls) if name in data}  # type: ignore[arg-type]
        return cls(**kwargs)

    @classmethod
    def from_json(cls: type[R], text: str | bytes) -> R:
        return cls.from_dict(json.loads(text))


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    """A record field's value as plain JSON types, copied as ``dataclasses.asdict`` copies it."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@functools.cache
def _field_hints(cls: type) -> tuple[tuple[str, Any], ...]:
    """(field name, resolved type) of a record class, computed once per class."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


@functools.cache
def _field_revivers(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """(field name, function reviving its JSON value) of a record class, made once per class: a
    resume revives every line of a run, and inspecting the type hints again for every value cost
    more than parsing the JSON."""
    return tuple((name, _reviver(hint)) for name, hint in _field_hints(cls))


def _keep(value: Any) -> Any:
    return value


@functools.cache
def _reviver(hint: Any) -> Callable[[Any], Any]:
    """A function that turns JSON back into the annotated type (nested records, tuples, dicts
    of records), with the hint inspected once; plain JSON values are taken as they are."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if _is_record(hint):
        return lambda value: hint.from_dict(value) if isinstance(value, dict) else value
    if origin is tuple:
        inner = _reviver(args[0] if args else Any)
        if inner is _keep:
            return lambda value: tuple(value) if isinstance(value, (list, tuple)) else value
        return lambda value: tuple(inner(v) for v in value) if isinstance(value, (list, tuple)) else value
    if origin is dict and len(args) == 2 and _is_record(args[1]):
        record = args[1]
        return lambda value: {k: record.from_dict(v) for k, v in value.items()} if isinstance(value, dict) else value
    if origin in (typing.Union, types.UnionType):
        options = [option for option in args if _is_record(option)]
        if options:
            return lambda value: options[0].from_dict(value) if isinstance(value, dict) else value
    return _keep


def _is_record(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, Record)


def json_shape(value: Any) -> Any:
    """A JSON value with every leaf replaced by its type name; a list by the shape of its first item."""
    if isinstance(value, dict):
        return {key: json_shape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_shape(value[0])] if value else []
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else "null" if value is None else type(value).__name__


def stable_hash(*parts: Any, length: int = 16) -> str:
    """A short, stable hex digest of JSON-serialisable parts (keys sorted: a digest, not a row)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:length]


# ----- the catalog -------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiExample(Record):
    """One example call of an API with the result it must produce."""

    arguments: dict[str, Any]
    result: Any = None


@dataclass(frozen=True)
class ExecutorBinding(Record):
    """How an API is executed. kind 'python': ``function`` in the module file ``target``.
    kind 'http': an HTTP operation. kind 'none': a schema-only tool that cannot be executed.
    ``options`` holds kind-specific settings (for example whether a Python executor may use the
    network)."""

    kind: str
    target: str = ""
    function: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiSpec(Record):
    """An executable API in the standard shape: JSON-Schema parameters plus an executor."""

    name: str
    description: str
    category: str
    parameters: dict[str, Any]
    executor: ExecutorBinding
    examples: tuple[ApiExample, ...] = ()

    def tool_schema(self) -> dict[str, Any]:
        """The spec as shown to a model: name, description, JSON-Schema parameters."""
        return {"name": self.name, "description": self.description, "parameters": self.parameters}

    def result_shape(self) -> Any:
        """The JSON shape of this API's result, from its first example call with a result (types,
        not values: a generator told what a function returns does not ask for more, and has no
        values to copy); None without one."""
        results = [e.result for e in self.examples if e.result is not None]
        return json_shape(results[0]) if results else None


# ----- generation --------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleRequest(Record):
    """What one generation call is asked for; fully determined by (seed, index, generation digest)."""

    sample_id: str
    index: int
    style: str
    api_names: tuple[str, ...]
    example_ids: tuple[str, ...]
    template: str
    num_queries: int
    # A derived style (DERIVED_STYLES): the pairs generated for ``style`` are the sources of
    # derived rows of this style, made and verified by the relevance stage. "" for ordinary samples.
    derive: str = ""


@dataclass(frozen=True)
class Prompt(Record):
    """The chat messages one request was rendered into."""

    sample_id: str
    template: str
    messages: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Usage(Record):
    """What model calls cost: counted per call, summed per stage and per run."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None  # None: no call had a known price

    def __add__(self, other: Usage) -> Usage:
        costs = [c for c in (self.cost_usd, other.cost_usd) if c is not None]
        return Usage(self.calls + other.calls, self.prompt_tokens + other.prompt_tokens,
                     self.completion_tokens + other.completion_tokens, sum(costs) if costs else None)


@dataclass(frozen=True)
class Completion(Record):
    """One LLM reply with its usage; ``error`` is set when the call failed, and ``error_kind`` says
    how: "transient" (failed after retries; a rerun asks again) or "request" (the provider refused
    this request; asking again cannot help)."""

    sample_id: str
    text: str
    model: str = ""
    finish_reason: str = ""
    usage: Usage = Usage()
    latency_s: float = 0.0
    error: str | None = None
    error_kind: str = ""
    # Native tool calls (a request with tools=), as the provider sent them: {name, arguments}
    # with arguments usually a JSON string. Model output is data: parsed by the caller.
    tool_calls: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ToolCall(Record):
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Candidate(Record):
    """One query/answers pair parsed from a completion. When the completion could not be parsed
    into pairs, one candidate carries ``parse_error`` (a reason code) and the raw text."""

    candidate_id: str
    sample_id: str
    position: int
    style: str
    api_names: tuple[str, ...]
    query: str = ""
    calls: tuple[ToolCall, ...] = ()
    parse_error: str | None = None
    parse_detail: str = ""
    raw: str = ""
    derive: str = ""  # the request's derived style: the relevance stage turns this candidate into such a row


@dataclass(frozen=True)
class SampleRecord(Record):
    """One line of candidates.jsonl: a finished generation call. ``attempt`` counts how often
    this sample was generated before (a sample cut short by a kill is generated again)."""

    request: SampleRequest
    prompt: Prompt
    completion: Completion
    candidates: tuple[Candidate, ...]
    attempt: int = 0


@dataclass(frozen=True)
class GenerationFailure(Record):
    """One line of errors.jsonl: a generation call that failed after its retries (the sample
    stays unfinished and a rerun retries it)."""

    request: SampleRequest
    completion: Completion


# ----- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExecutionResult(Record):
    """One call run by an executor: its JSON result, or a classified error (``code``)."""

    ok: bool
    result: Any = None
    code: str = "ok"
    error_type: str = ""
    message: str = ""
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0
    name: str = ""  # the function called, once the execution stage has attached it


@dataclass(frozen=True)
class Verdict(Record):
    """The outcome of one verification stage for one candidate. ``data`` holds the stage's own
    diagnostics (judge votes and thoughts, ...) for people; nothing downstream reads it."""

    candidate_id: str
    stage: str
    passed: bool
    reason: str = "ok"
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # The stage could not decide because its model calls failed after retries: a rerun asks again.
    retry: bool = False


@dataclass(frozen=True)
class Example(Record):
    """A verified example, ready to export in the xlam-function-calling-60k shape. ``answers``
    empty means the right answer is no call (relevance rows); ``assistant_text`` is then what the
    assistant says instead (empty: nothing is said). ``style`` is the query style it was made for."""

    candidate_id: str
    sample_id: str
    query: str
    tools: tuple[dict[str, Any], ...]
    answers: tuple[ToolCall, ...]
    style: str = ""
    assistant_text: str = ""


@dataclass(frozen=True)
class Outcome(Record):
    """One line of verdicts.jsonl: the end of one candidate's path through the stage chain.
    ``stage`` is the stage that rejected it, or "kept"; ``executions`` the results of its calls
    (when the execution stage ran); ``usage`` what each stage's model calls cost. ``retry``: the
    rejecting stage could not decide (its model calls failed after retries), so a rerun into the
    run directory verifies the candidate again and the new outcome replaces this one."""

    candidate_id: str
    sample_id: str
    index: int
    position: int
    attempt: int
    kept: bool
    stage: str
    reason: str
    detail: str = ""
    verdicts: tuple[Verdict, ...] = ()
    executions: tuple[ExecutionResult, ...] = ()
    usage: dict[str, Usage] = field(default_factory=dict)
    example: Example | None = None
    retry: bool = False
