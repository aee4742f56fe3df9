"""HTTP executor: runs a call against an HTTP API (an OpenAPI operation), allow-listed hosts only.

The binding is ``ExecutorBinding(kind="http", target=<base url>, function="GET /pets/{id}",
options={"params": {arg: "path"|"query"|"header"|"body"}, "allowed_hosts": [...]})``. Arguments
are placed where ``params`` says; path values are percent-encoded, dots and slashes included, so an
argument (``..``, ``.``, ``a/b``) cannot change the path. Redirects are not followed. ``timeout_s``
bounds the whole call (connect, headers and body together), so a server that drips bytes cannot
hold it. Outcomes use the stable execution codes: ``host_not_allowed``, ``timeout``,
``output_too_large``, ``http_error`` (4xx/5xx, status in the message), ``connection_error``,
``invalid_value`` (a path argument is missing or empty), ``invalid_header`` (a header argument holds
a control character such as CR/LF, which could inject headers).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from apigen.records import ExecutionResult, ExecutorBinding


def _fail(code: str, error_type: str, message: str, started: float) -> ExecutionResult:
    return ExecutionResult(False, code=code, error_type=error_type, message=message,
                           duration_s=time.perf_counter() - started)


class InvalidHeader(ValueError):
    """A header argument that would break the header block (CR, LF or another control character)."""


def _path_segment(name: str, value: Any) -> str:
    """One path value, percent-encoded so that it stays exactly one segment of the path."""
    text = str(value)
    if not text:
        raise ValueError(f"path parameter '{name}' is empty")
    # quote() leaves '.' alone, and '.'/'..' segments are resolved by clients and servers alike.
    return quote(text, safe="").replace(".", "%2E")


def _header_value(name: str, value: Any) -> str:
    text = str(value)
    if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in text):
        raise InvalidHeader(f"header parameter '{name}' holds a control character (CR/LF, ...)")
    return text


def build_request(binding: ExecutorBinding, arguments: dict[str, Any]) -> dict[str, Any]:
    """The method, URL, query, headers and JSON body of a call; raises ValueError on a bad call."""
    method, _, path = binding.function.partition(" ")
    places = binding.options.get("params", {})
    query, headers, body = {}, {}, {}
    for name, value in arguments.items():
        where = places.get(name, "query")
        if where == "path":
            token = "{" + name + "}"
            if token not in path:
                raise ValueError(f"path parameter '{name}' is not in '{path}'")
            path = path.replace(token, _path_segment(name, value))
        elif where == "header":
            headers[name] = _header_value(name, value)
        elif where == "body":
            body[name] = value
        else:
            query[name] = json.dumps(value) if isinstance(value, (dict, list)) else value
    if "{" in path:
        raise ValueError(f"missing path parameter(s) in '{path}'")
    url = binding.target.rstrip("/") + "/" + path.lstrip("/")
    return {"method": method.upper(), "url": url, "params": query, "headers": headers,
            "json": body if body else None}


class HttpExecutor:
    def __init__(self, timeout_s: float = 10.0, max_result_chars: int = 4000):
        self.timeout_s, self.max_result_chars = timeout_s, max_result_chars

    async def execute(self, binding: ExecutorBinding, arguments: dict[str, Any]) -> ExecutionResult:
        started = time.perf_counter()
        try:
            request = build_request(binding, arguments)
        except InvalidHeader as exc:
            return _fail("invalid_header", "BadHeader", str(exc), started)
        except ValueError as exc:
            return _fail("invalid_value", "BadRequest", str(exc), started)
        host = urlsplit(request["url"]).hostname or ""
        allowed = [h.lower() for h in binding.options.get("allowed_hosts", [])]
        if host.lower() not in allowed:
            return _fail("host_not_allowed", "HostNotAllowed",
                         f"host '{host}' is not in allowed_hosts {allowed}", started)
        try:
            # httpx's timeout is per read, so a slow drip would never trip it; this bounds the total.
            response, body = await asyncio.wait_for(self._fetch(request), self.timeout_s)
        except (httpx.TimeoutException, asyncio.TimeoutError):
            return _fail("timeout", "Timeout", f"no complete response within {self.timeout_s:g}s", started)
        except httpx.HTTPError as exc:
            return _fail("connection_error", type(exc).__name__, str(exc) or repr(exc), started)
        text = body.decode(response.encoding or "utf-8", errors="replace")
        if response.status_code >= 300:
            kind = {3: "redirect, not followed", 4: "client error"}.get(response.status_code // 100, "server error")
            return _fail("http_error", f"HTTP{response.status_code}",
                         f"HTTP {response.status_code} ({kind}): {text[:300]}", started)
        cap = self.max_result_chars
        if len(text) > cap:
            return _fail("output_too_large", "OutputTooLarge",
                         f"response is over {cap} characters, the cap", started)
        try:
            result: Any = json.loads(text) if text.strip() else None
        except json.JSONDecodeError:
            result = text
        return ExecutionResult(True, result=result, duration_s=time.perf_counter() - started)

    async def _fetch(self, request: dict[str, Any]) -> tuple[httpx.Response, bytes]:
        """The response and its body, read up to just over the size cap."""
        limit = self.max_result_chars * 4  # a UTF-8 character is at most 4 bytes
        async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False, trust_env=False) as client, \
                client.stream(**request) as response:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    break
        return response, b"".join(chunks)
