"""The embedded model as a litellm custom provider: ``local/<name>`` model strings.

llama-cpp-python runs in this process; the rest of the pipeline calls it through
``litellm.acompletion`` like any hosted model. One llama.cpp context is not safe to use from two
threads, and on a CPU two concurrent generations only slow each other down, so every call of a
model runs on that model's one dedicated thread, which also keeps the event loop free. One
thread, not any pool thread: llama.cpp's OpenMP thread team belongs to the calling thread, and
calls from changing threads leave several teams competing for the cores (measured: about 25%
slower on 2 cores).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import litellm
from litellm import CustomLLM, ModelResponse, Usage

from apigen.config import LLMConfig, LocalModelConfig
from apigen.llm.models import LocalModelError, resolve_gguf
from apigen.llm.roles import local_models

PROVIDER = "local"
# What llama-cpp-python's create_chat_completion accepts from the OpenAI parameter set.
_PASSED_THROUGH = ("temperature", "top_p", "max_tokens", "stop", "seed", "response_format",
                   "presence_penalty", "frequency_penalty", "tools", "tool_choice")
# With tools=, the GGUF's chat template shows the tools to the model in its own form. Models of
# the Hermes / Qwen family are taught to answer with <tool_call>{"name": ..., "arguments": {...}}
# </tool_call> blocks (the last one may lack its closing tag when generation stops on the end
# token); small ones often write the same JSON objects bare or in a ```json fence instead. Both
# are read as tool calls, as servers such as Ollama do for these models.
_TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_DECODER = json.JSONDecoder()


def _as_call(value: Any) -> tuple[str, str] | None:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    arguments = value.get("arguments", value.get("parameters", {}))
    return value["name"], arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def _bare_calls(text: str) -> list[tuple[str, str]]:
    """Every top-level JSON call object (or list of them) in the text."""
    calls: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        if text[i] not in "{[":
            i += 1
            continue
        try:
            value, end = _DECODER.raw_decode(text, i)
        except ValueError:
            i += 1
            continue
        found = [_as_call(v) for v in (value if isinstance(value, list) else [value])]
        if found and all(found):
            calls += [c for c in found if c]
        i = end
    return calls


def split_tool_calls(text: str) -> tuple[str, list[dict[str, Any]]]:
    """(the text outside the calls, the calls as OpenAI sends them: {id, type, function: {name,
    arguments as a JSON string}}). A <tool_call> block that is not a JSON call becomes a call
    without a name whose arguments are the block's text, so the caller sees an unreadable call."""
    blocks = list(_TOOL_CALL.finditer(text))
    if blocks:
        found = []
        for match in blocks:
            try:
                call = _as_call(json.loads(match.group(1)))
            except ValueError:
                call = None
            found.append(call or ("", match.group(1)))
        rest = _TOOL_CALL.sub("", text).strip()
    else:
        found, rest = _bare_calls(text), text
    calls = [{"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": args}}
             for i, (name, args) in enumerate(found)]
    return (rest if blocks or not calls else ""), calls


@dataclass
class _LoadedModel:
    path: Path
    settings: LocalModelConfig
    llama: Any
    thread: ThreadPoolExecutor  # one worker: the model's own thread


def load_llama(path: Path, settings: LocalModelConfig) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError:
        raise LocalModelError(
            "the embedded model needs llama-cpp-python: pip install -e '.[local]' "
            "(it compiles from source, about 5 minutes on 2 cores)"
        ) from None
    threads = settings.n_threads or os.cpu_count() or 1
    return Llama(
        model_path=str(path), n_ctx=settings.n_ctx, n_threads=threads, n_threads_batch=threads,
        chat_format=settings.chat_format, seed=settings.seed, verbose=False,
    )


class LocalProvider(CustomLLM):
    def __init__(self) -> None:
        super().__init__()
        self.models: dict[str, _LoadedModel] = {}

    def add(self, name: str, settings: LocalModelConfig) -> None:
        if name in self.models:
            return
        path = resolve_gguf(name, settings.gguf_path)
        self.models[name] = _LoadedModel(path, settings, load_llama(path, settings),
                                         ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"llama-{name}"))

    def _model(self, name: str) -> _LoadedModel:
        model = self.models.get(name)
        if model is None:
            raise litellm.exceptions.NotFoundError(f"no embedded model '{name}' is loaded", model=name, llm_provider=PROVIDER)
        return model

    @staticmethod
    def _generate(model: _LoadedModel, messages: list, params: dict[str, Any]) -> dict[str, Any]:
        kwargs = {k: params[k] for k in _PASSED_THROUGH if params.get(k) is not None}
        return model.llama.create_chat_completion(messages=messages, **kwargs)

    def _response(self, name: str, result: dict[str, Any], tools: bool) -> ModelResponse:
        choice = result["choices"][0]
        usage = result.get("usage", {})
        message: dict[str, Any] = {"role": "assistant", "content": choice["message"].get("content") or ""}
        if tools:
            message["content"], calls = split_tool_calls(message["content"])
            if calls:
                message["tool_calls"] = calls
        return ModelResponse(
            id=result.get("id", f"local-{uuid.uuid4().hex}"),
            model=f"{PROVIDER}/{name}",
            choices=[{"index": 0, "finish_reason": ("tool_calls" if message.get("tool_calls") else choice.get("finish_reason") or "stop"),
                      "message": message}],
            usage=Usage(prompt_tokens=usage.get("prompt_tokens", 0), completion_tokens=usage.get("completion_tokens", 0),
                        total_tokens=usage.get("total_tokens", 0)),
        )

    def completion(self, model: str, messages: list, *args: Any, optional_params: dict | None = None, **kwargs: Any) -> ModelResponse:
        loaded = self._model(model)
        params = optional_params or {}
        result = loaded.thread.submit(self._generate, loaded, messages, params).result()
        return self._response(model, result, bool(params.get("tools")))

    async def acompletion(self, model: str, messages: list, *args: Any, optional_params: dict | None = None, **kwargs: Any) -> ModelResponse:
        loaded = self._model(model)
        params = optional_params or {}
        result = await asyncio.get_running_loop().run_in_executor(loaded.thread, self._generate, loaded, messages, params)
        return self._response(model, result, bool(params.get("tools")))

    def run_on_model_thread(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` on the model's own thread (for benchmarks that call llama.cpp directly)."""
        return self._model(name).thread.submit(fn, *args, **kwargs).result()


    def close(self) -> None:
        # Free llama.cpp explicitly: left to interpreter shutdown, its destructor runs after the
        # library's globals are gone and prints a spurious traceback.
        for model in self.models.values():
            model.thread.shutdown(wait=True)
            model.llama.close()
        self.models.clear()


_PROVIDER = LocalProvider()
atexit.register(_PROVIDER.close)


def provider() -> LocalProvider:
    return _PROVIDER


def register_local_provider(roles: list[LLMConfig]) -> None:
    """Load the embedded model(s) named by the generator and the judges, and route ``local/`` to
    them. ``local/<name>`` loads the packaged weights ``<name>`` (or its ``local.gguf_path``); a
    judge with the generator's model string shares the generator's loaded model."""
    for name, settings in local_models(roles).items():
        _PROVIDER.add(name, settings)
    if not any(item.get("provider") == PROVIDER for item in litellm.custom_provider_map):
        litellm.custom_provider_map = [*litellm.custom_provider_map, {"provider": PROVIDER, "custom_handler": _PROVIDER}]
