"""The typed, frozen records that flow between pipeline stages.

ApiSpec -> SampleRequest -> Prompt -> Completion -> Candidate -> Verdict* -> Example -> export row

Each record round-trips through JSON (``to_dict`` / ``from_dict``). Fields that carry JSON values
from the model or the catalog (arguments, schemas, results) stay plain JSON types.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from dataclasses import dataclass, field
from typing import Any

STAGES = ("format", "execution", "semantic")
QUERY_STYLES = ("simple", "multiple", "parallel", "parallel_multiple")


class Record:
    """JSON round-trip for the frozen dataclasses below."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in data:
                kwargs[f.name] = _revive(hints[f.name], data[f.name])
        return cls(**kwargs)


def _revive(hint: Any, value: Any) -> Any:
    """Turn JSON back into the annotated type: nested records and tuples of records."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if isinstance(hint, type) and issubclass(hint, Record) and isinstance(value, dict):
        return hint.from_dict(value)
    if origin is tuple and isinstance(value, (list, tuple)):
        inner = args[0] if args else Any
        return tuple(_revive(inner, v) for v in value)
    if origin is typing.Union:
        for option in args:
            if isinstance(option, type) and issubclass(option, Record) and isinstance(value, dict):
                return option.from_dict(value)
    return value


def stable_hash(*parts: Any, length: int = 16) -> str:
    """A short, stable hex digest of JSON-serialisable parts."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True)
class ApiExample(Record):
    """One example call of an API with the result it must produce."""

    arguments: dict[str, Any]
    result: Any = None


@dataclass(frozen=True)
class ExecutorBinding(Record):
    """How an API is executed. kind 'python': ``function`` in the module file ``target``.
    kind 'none': a schema-only tool that cannot be executed. ``options`` holds kind-specific
    settings (for example whether a Python executor may use the network)."""

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


@dataclass(frozen=True)
class SampleRequest(Record):
    """What one generation call is asked for; fully determined by (seed, index, config)."""

    sample_id: str
    index: int
    style: str
    api_names: tuple[str, ...]
    example_ids: tuple[str, ...]
    template: str
    num_queries: int


@dataclass(frozen=True)
class Prompt(Record):
    sample_id: str
    template: str
    messages: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Completion(Record):
    """One LLM reply with its usage; ``error`` is set when the call failed after retries."""

    sample_id: str
    text: str
    model: str = ""
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    cost_usd: float | None = None
    error: str | None = None


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


@dataclass(frozen=True)
class Verdict(Record):
    """The outcome of one verification stage for one candidate."""

    candidate_id: str
    stage: str
    passed: bool
    reason: str = "ok"
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Example(Record):
    """A verified example, ready to export in the xlam-function-calling-60k shape."""

    candidate_id: str
    sample_id: str
    query: str
    tools: tuple[dict[str, Any], ...]
    answers: tuple[ToolCall, ...]
