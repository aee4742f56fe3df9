"""The litellm adapter: the only place that talks to a language model.

Async calls with a per-call timeout, retries with exponential backoff on transient errors
(rate limits, connection drops, timeouts, 5xx), and usage/cost recorded on every Completion.
Errors that retrying cannot fix (bad key, unknown model, rejected request) raise LLMFatalError so
the run stops at once with the provider's message instead of failing every sample.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import litellm

from apigen.config import LLMConfig
from apigen.records import Completion, Usage

litellm.suppress_debug_info = True
litellm.telemetry = False
# litellm logs every call at INFO; Hydra's logging config would print them all.
for _name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "httpx"):
    logging.getLogger(_name).setLevel(logging.WARNING)

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    litellm.exceptions.RateLimitError,
    litellm.exceptions.APIConnectionError,
    litellm.exceptions.Timeout,
    litellm.exceptions.ServiceUnavailableError,
    litellm.exceptions.InternalServerError,
    litellm.exceptions.BadGatewayError,
)
FATAL_ERRORS: tuple[type[Exception], ...] = (
    litellm.exceptions.AuthenticationError,
    litellm.exceptions.NotFoundError,
    litellm.exceptions.PermissionDeniedError,
    litellm.exceptions.BadRequestError,
)


class LLMFatalError(RuntimeError):
    """A model call failed in a way retries cannot fix."""


class LLMClient:
    def __init__(self, cfg: LLMConfig, role: str = "generator"):
        self.cfg, self.role = cfg, role
        self.is_local = cfg.model.startswith("local/")

    def _response_format(self, schema: dict[str, Any] | None) -> dict[str, Any] | None:
        if not self.cfg.json_mode:
            return None
        if self.is_local and schema is not None:
            # llama-cpp-python constrains decoding to this schema (its json_schema form is ignored).
            return {"type": "json_object", "schema": schema}
        return {"type": "json_object"}

    async def complete(self, sample_id: str, messages: tuple[dict[str, str], ...],
                       schema: dict[str, Any] | None = None, temperature: float | None = None,
                       seed: int | None = None, tools: list[dict[str, Any]] | None = None) -> Completion:
        """One completion; ``temperature`` overrides the role's, ``seed`` asks for reproducible
        sampling (several answers to one prompt need different seeds to differ), ``tools`` (OpenAI
        tool objects) asks for native tool calls, returned in ``Completion.tool_calls``."""
        kwargs: dict[str, Any] = dict(self.cfg.extra)
        if seed is not None:
            kwargs["seed"] = seed
        kwargs.update(
            model=self.cfg.model,
            messages=[dict(m) for m in messages],
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
        last_error = ""
        for attempt in range(self.cfg.max_retries + 1):
            started = time.perf_counter()
            try:
                # An embedded model queues calls on its one thread and is bounded by max_tokens; a
                # wall-clock limit would count the queueing, so only remote calls get one.
                timeout = None if self.is_local else self.cfg.timeout_s + 5
                response = await asyncio.wait_for(litellm.acompletion(**kwargs), timeout)
                return self._to_completion(sample_id, response, time.perf_counter() - started)
            except FATAL_ERRORS as exc:
                raise LLMFatalError(f"{self.role} model '{self.cfg.model}': {type(exc).__name__}: {exc}") from None
            except (*TRANSIENT_ERRORS, asyncio.TimeoutError) as exc:  # type: ignore[misc]
                last_error = f"{type(exc).__name__}: {exc}"[:500]
            if attempt < self.cfg.max_retries:
                await asyncio.sleep(self.cfg.retry_backoff_s * (2 ** attempt))
        return Completion(sample_id=sample_id, text="", model=self.cfg.model,
                          error=f"failed after {self.cfg.max_retries + 1} attempt(s): {last_error}")

    def _to_completion(self, sample_id: str, response: Any, latency: float) -> Completion:
        choice = response.choices[0]
        usage = getattr(response, "usage", None)
        try:
            cost = float(litellm.completion_cost(completion_response=response))
        except Exception:  # unknown models have no price; cost is then simply not known
            cost = None
        return Completion(
            sample_id=sample_id,
            text=choice.message.content or "",
            model=str(getattr(response, "model", "") or self.cfg.model),
            finish_reason=str(choice.finish_reason or ""),
            usage=Usage(calls=1, prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                        completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0), cost_usd=cost),
            latency_s=round(latency, 4),
            tool_calls=tuple(_tool_call(c) for c in getattr(choice.message, "tool_calls", None) or ()),
        )


def _tool_call(call: Any) -> dict[str, Any]:
    function = getattr(call, "function", None)
    return {"name": getattr(function, "name", None), "arguments": getattr(function, "arguments", None)}
