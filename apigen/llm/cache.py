"""The on-disk LLM response cache (``llm.cache=true``): a call asked again is answered from disk.

The key is a hash of everything that shapes the answer: the model, the messages, the sampling
settings (temperature, max_tokens, response_format, tools, seed and every other ``llm.extra``
setting but headers), the sample the call is for, and the call's draw (the n-th of several
identical asks, such as a judge's votes or the round-trip solver's answers). Where the call is
sent (api_base, deployment, key) and how long it may take are not in it.

One file per key (``<dir>/<key[:2]>/<key>.json``), written to a temporary name and renamed into
place: several processes (shards) may share one directory, and a reader never sees half a file.
Only successful calls are stored; a damaged entry reads as a miss. The directory is
``llm.cache_dir``, or ``<user cache>/llm`` (apigen.paths.user_cache_dir).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from apigen.config import LLMConfig
from apigen.paths import user_cache_dir
from apigen.records import Completion
from apigen.surrogates import escape_surrogates

# Arguments that say where and how a call is sent, not what is asked.
_TRANSPORT = frozenset({"api_base", "api_key", "timeout", "num_retries", "extra_headers", "metadata"})
_VERSION = 1  # bump when the key's contents change meaning


def cache_dir(cfg: LLMConfig) -> Path:
    return Path(os.path.expanduser(cfg.cache_dir)) if cfg.cache_dir else user_cache_dir() / "llm"


class ResponseCache:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.hits = self.stores = 0

    def key(self, kwargs: dict[str, Any], sample_id: str, draw: int) -> str:
        asked = {k: v for k, v in kwargs.items() if k not in _TRANSPORT}
        text = json.dumps({"v": _VERSION, "call": asked, "sample": sample_id, "draw": draw},
                          sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(escape_surrogates(text).encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Completion | None:
        try:
            completion = Completion.from_json(self._path(key).read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # a damaged or foreign file: ask the model again, and overwrite it then
            return None
        self.hits += 1
        return completion

    def put(self, key: str, completion: Completion) -> None:
        if completion.error:
            return  # failures are never answers
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(escape_surrogates(completion.to_json()).encode("utf-8"))
        os.replace(tmp, path)
        self.stores += 1


def open_cache(cfg: LLMConfig) -> ResponseCache | None:
    return ResponseCache(cache_dir(cfg)) if cfg.cache else None
