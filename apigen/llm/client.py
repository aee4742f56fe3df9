"""The litellm adapter: the only place that talks to a language model.

Async calls with a per-call timeout and usage/cost recorded on every Completion. Every exception
a call can raise is classified once, by ``classify``:

- **transient** (rate limits, 408/409/425/429, every 5xx including 520/529, timeouts, dropped
  connections, a reply without choices, anything unknown): retried with exponential backoff,
  then recorded on the Completion (``error_kind="transient"``); a rerun asks again.
- **request** (the provider refused this one request: 400, 413, 422 and other 4xx, a prompt over
  the context length, a 200 carrying an error object): recorded at once (``error_kind="request"``)
  for that sample, and the run goes on.
- **fatal** (bad or missing key, no permission, unknown model or URL: 401/402/403/404/405/407):
  LLMFatalError, and the run stops with the model, its URL and the provider's message.

Two more stops keep a dead endpoint from burning a run: ``preflight`` makes one small call
before the run (an endpoint that cannot be reached fails at once, without retries), and
``max_consecutive_failures`` calls of one client failing in a row, after their retries, stop the
run. Model text is data: it is returned as sent, and text sent to a model is made valid Unicode.

Each attempt goes through the role's router (apigen.llm.router: its deployments, adaptive
in-flight limits and cooldowns), and with ``llm.cache`` a call asked before is answered from the
on-disk cache (apigen.llm.cache) without a request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import litellm
import openai

from apigen.config import LLMConfig
from apigen.llm.cache import open_cache
from apigen.llm.meter import METER
from apigen.llm.router import build_router, deployment_keys
from apigen.records import Completion, Usage
from apigen.redact import REDACTED
from apigen.surrogates import escape_surrogates, replace_surrogates

litellm.suppress_debug_info = True
litellm.telemetry = False
# litellm logs every call at INFO; Hydra's logging config would print them all.
for _name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "httpx"):
    logging.getLogger(_name).setLevel(logging.WARNING)

TRANSIENT, REQUEST, FATAL = "transient", "request", "fatal"
# Statuses that no retry and no other prompt can fix: the key, the account, the model or the URL.
_FATAL_STATUSES = frozenset({401, 402, 403, 404, 405, 407})
# 4xx statuses that say "later", not "never".
_TRANSIENT_4XX = frozenset({408, 409, 425, 429})
_CONTEXT_LENGTH = re.compile(r"context (length|window)|maximum context|too many tokens", re.IGNORECASE)

# The preflight call's prompt (the test server recognises it).
PREFLIGHT_PROMPT = 'apigen preflight: reply with the JSON object {"ok": true} and nothing else.'


class LLMFatalError(RuntimeError):
    """A model call failed in a way retries cannot fix, or the endpoint is dead: the run stops."""


@dataclass(frozen=True)
class Fault:
    kind: str  # TRANSIENT, REQUEST or FATAL
    message: str
    unreachable: bool = False  # nothing answered at the address (connection refused, unknown host)


class _NoChoices(RuntimeError):
    """A 200 response without any choice."""


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify(exc: BaseException) -> Fault:
    """What a failed call means for the run; every exception gets an answer, unknown ones
    TRANSIENT (retried, then recorded), never a crash."""
    text = str(exc)
    message = escape_surrogates(text if text.startswith("litellm.") else f"{type(exc).__name__}: {text}")[:500]
    causes = list(_causes(exc))
    if any(isinstance(c, (httpx.ConnectError, ConnectionRefusedError, socket.gaierror)) for c in causes):
        root = causes[-1]
        return Fault(TRANSIENT, escape_surrogates(f"{message} ({type(root).__name__}: {root})")[:600], unreachable=True)
    # The OpenAI client refusing to send at all (no credentials): a plain OpenAIError, not an APIError.
    if any(type(c) is openai.OpenAIError for c in causes):
        return Fault(FATAL, message)
    if isinstance(exc, (litellm.exceptions.ContextWindowExceededError, litellm.exceptions.ContentPolicyViolationError)):
        return Fault(REQUEST, message)
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    if status in _FATAL_STATUSES or isinstance(exc, (litellm.exceptions.AuthenticationError,
                                                     litellm.exceptions.PermissionDeniedError,
                                                     litellm.exceptions.NotFoundError)):
        return Fault(FATAL, message)
    if _CONTEXT_LENGTH.search(str(exc)):  # providers (and the embedded model) that do not map it
        return Fault(REQUEST, message)
    if status is not None and 400 <= status < 500 and status not in _TRANSIENT_4XX:
        return Fault(REQUEST, message)
    if status is None and isinstance(exc, litellm.exceptions.BadRequestError):
        return Fault(REQUEST, message)
    return Fault(TRANSIENT, message)


def endpoint(cfg: LLMConfig) -> str:
    """Where a role's calls go, for messages."""
    if cfg.deployments:
        return "deployments " + ", ".join(d.api_base or d.model or cfg.model for d in cfg.deployments)
    if cfg.api_base:
        return cfg.api_base
    if cfg.model.startswith("local/"):
        return "the embedded engine"
    return f"the {cfg.model.split('/', 1)[0]} default endpoint"


class LLMClient:
    def __init__(self, cfg: LLMConfig, role: str = "generator"):
        self.cfg, self.role = cfg, role
        self.is_local = cfg.model.startswith("local/")
        self.consecutive_failures = 0  # calls failed after their retries since the last success
        self.router = build_router(cfg)
        self.cache = open_cache(cfg)
        self._secrets = [k for k in (cfg.api_key, *deployment_keys(cfg)) if k]
        self.unpriced = not self.is_local and register_unpriced([cfg.model, *(d.model for d in cfg.deployments if d.model)])

    def describe(self) -> str:
        return f"{self.role} model '{self.cfg.model}' at {endpoint(self.cfg)}"

    def _response_format(self, schema: dict[str, Any] | None) -> dict[str, Any] | None:
        if not self.cfg.json_mode:
            return None
        if self.is_local and schema is not None:
            # llama-cpp-python constrains decoding to this schema (its json_schema form is ignored).
            return {"type": "json_object", "schema": schema}
        return {"type": "json_object"}

    def _kwargs(self, messages: tuple[dict[str, str], ...], schema: dict[str, Any] | None,
                temperature: float | None, seed: int | None, tools: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = dict(self.cfg.extra)
        if seed is not None:
            kwargs["seed"] = seed
        kwargs.update(
            model=self.cfg.model,
            messages=[{k: replace_surrogates(v) if isinstance(v, str) else v for k, v in m.items()} for m in messages],
            temperature=self.cfg.temperature if temperature is None else temperature,
            max_tokens=self.cfg.max_tokens,
            timeout=self.cfg.timeout_s,
            num_retries=0,  # retries are ours, so that backoff and accounting are uniform
        )
        if self.cfg.api_base:
            kwargs["api_base"] = self.cfg.api_base
        if self.cfg.api_key:
            kwargs["api_key"] = self.cfg.api_key
        if tools is not None:
            kwargs["tools"] = tools
        response_format = None if tools is not None else self._response_format(schema)
        if response_format:
            kwargs["response_format"] = response_format
        return kwargs

    async def complete(self, sample_id: str, messages: tuple[dict[str, str], ...],
                       schema: dict[str, Any] | None = None, temperature: float | None = None,
                       seed: int | None = None, tools: list[dict[str, Any]] | None = None, draw: int = 0) -> Completion:
        """One completion; ``temperature`` overrides the role's, ``seed`` asks for reproducible
        sampling (several answers to one prompt need different seeds to differ), ``tools`` (OpenAI
        tool objects) asks for native tool calls, returned in ``Completion.tool_calls``. A failed
        call is a Completion with ``error`` and ``error_kind``; a fatal one raises LLMFatalError.
        ``draw`` tells apart identical asks of one sample (votes, answers) in the response cache."""
        kwargs = self._kwargs(messages, schema, temperature, seed, tools)
        key = self.cache.key(kwargs, sample_id, draw) if self.cache else None
        if self.cache and key:
            cached = self.cache.get(key)
            if cached is not None:  # nothing was paid for it this time
                return dataclasses.replace(cached, sample_id=sample_id, usage=Usage(), latency_s=0.0)
        completion = await self._call(sample_id, kwargs)
        if not completion.error:
            self.consecutive_failures = 0
            if self.cache and key:
                self.cache.put(key, completion)
            return completion
        self.consecutive_failures += 1
        limit = self.cfg.max_consecutive_failures
        if limit and self.consecutive_failures >= limit:
            raise LLMFatalError(
                f"{self.describe()}: {self.consecutive_failures} consecutive calls failed after their retries "
                f"(last: {completion.error}); the run is stopped. Check the server, then rerun into the same "
                "directory to resume"
            )
        return completion

    async def preflight(self) -> None:
        """One small call before the run: a dead endpoint, a missing key or a request the server
        refuses stop the run now, naming the model and the URL. Embedded models need none."""
        if self.is_local:
            return
        messages = ({"role": "user", "content": PREFLIGHT_PROMPT},)
        if self.router.many:
            await self._preflight_deployments(self._kwargs(messages, None, None, None))
            return
        completion = await self._call("preflight", self._kwargs(messages, None, None, None), preflight=True)
        if completion.error:
            raise LLMFatalError(f"{self.describe()}: the preflight call failed: {completion.error}")

    async def _preflight_deployments(self, kwargs: dict[str, Any]) -> None:
        """Each deployment once: the run stops only when none answers; those that fail are
        cooled down and named."""
        failed = await self.router.preflight(kwargs)
        faults = [(d, self._without_key(classify(exc))) for d, exc in failed]
        if len(failed) == len(self.router.deployments):
            raise LLMFatalError(f"{self.describe()}: the preflight call failed at every deployment: "
                                + "; ".join(f"{d.label}: {f.message}" for d, f in faults))
        for deployment, fault in faults:
            print(f"apigen: warning: {self.role} deployment {deployment.label} failed its preflight call and cools "
                  f"down for {self.cfg.cooldown_s:g}s: {fault.message}", file=sys.stderr)

    async def _call(self, sample_id: str, kwargs: dict[str, Any], preflight: bool = False) -> Completion:
        fault = Fault(TRANSIENT, "no attempt was made")
        attempts = 0
        for attempt in range(self.cfg.max_retries + 1):
            attempts = attempt + 1
            started = time.perf_counter()
            try:
                # An embedded model queues calls on its one thread and is bounded by max_tokens; a
                # wall-clock limit would count the queueing, so only remote calls get one.
                timeout = None if self.is_local else self.cfg.timeout_s + 5
                response = await self.router.send(kwargs, timeout)
                completion = self._to_completion(sample_id, response, time.perf_counter() - started)
                METER.add_tokens(completion.usage.completion_tokens, self.is_local)
                return completion
            except Exception as exc:  # every exception is classified; none escapes unexplained
                fault = self._without_key(classify(exc))
            if fault.kind == FATAL:
                raise LLMFatalError(f"{self.describe()}: {fault.message}") from None
            if fault.kind == REQUEST or (preflight and fault.unreachable):
                break  # the same request, or the same closed port, would fail the same way
            if attempt < self.cfg.max_retries:
                await asyncio.sleep(self.cfg.retry_backoff_s * (2 ** attempt))
        what = "refused" if fault.kind == REQUEST else f"failed after {attempts} attempt(s)"
        return Completion(sample_id=sample_id, text="", model=self.cfg.model,
                          error=f"{what}: {fault.message}", error_kind=fault.kind)

    def _without_key(self, fault: Fault) -> Fault:
        """The fault with the role's key, should a provider quote it, redacted (it is stored and printed)."""
        message = fault.message
        for key in self._secrets:
            message = message.replace(key, REDACTED)
        return fault if message == fault.message else Fault(fault.kind, message, fault.unreachable)

    def _to_completion(self, sample_id: str, response: Any, latency: float) -> Completion:
        choices = getattr(response, "choices", None)
        if not choices:
            raise _NoChoices("the response has no choices")
        choice = choices[0]
        usage = getattr(response, "usage", None)
        cost = None if self.unpriced else _response_cost(response)
        content = choice.message.content
        return Completion(
            sample_id=sample_id,
            text=content if isinstance(content, str) else "" if content is None else str(content),
            model=str(getattr(response, "model", "") or self.cfg.model),
            finish_reason=str(choice.finish_reason or ""),
            usage=Usage(calls=1, prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0), cost_usd=cost),
            latency_s=round(latency, 4),
            tool_calls=tuple(_tool_call(c) for c in getattr(choice.message, "tool_calls", None) or ()),
        )


_REGISTERED_UNPRICED: set[str] = set()  # registered at price 0 by us: their price is still unknown


def register_unpriced(models: list[str]) -> bool:
    """Whether litellm has a price for none of a role's models (a self-hosted server's, mostly).
    Those are then registered with a price of 0, so that litellm's per-call pricing finds them at
    once: for a model it does not know it searched its whole model map on every call, about a
    third of its CPU per call (measured with litellm 1.105). The role's cost stays unknown (the
    client reports None, as before, not 0). A role with any priced model is left as it is."""
    unique = list(dict.fromkeys(models))
    for model in unique:
        if model in _REGISTERED_UNPRICED:
            continue
        try:
            litellm.get_model_info(model)
            return False
        except Exception:  # litellm raises for a model it cannot price
            continue
    _REGISTERED_UNPRICED.update(unique)
    litellm.register_model({model: {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "cache_creation_input_token_cost": 0.0,
                                    "cache_read_input_token_cost": 0.0, "mode": "chat",
                                    "litellm_provider": model.split("/", 1)[0]} for model in unique})
    return True


def _response_cost(response: Any) -> float | None:
    """The call's price as litellm already computed it for the response (``_hidden_params``);
    pricing it again with ``litellm.completion_cost`` cost a model-map lookup per call (about a
    tenth of the client's CPU). None when the model has no known price."""
    hidden = getattr(response, "_hidden_params", None) or {}
    cost = hidden.get("response_cost") if isinstance(hidden, dict) else getattr(hidden, "response_cost", None)
    return float(cost) if isinstance(cost, (int, float)) else None


def _tool_call(call: Any) -> dict[str, Any]:
    function = getattr(call, "function", None)
    return {"name": getattr(function, "name", None), "arguments": getattr(function, "arguments", None)}
