"""A real OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies, latency and faults.

Requests are routed by a ``router(request_json) -> route name``; each route has a script: a list
of replies served in order (the last one repeats), or a callable ``(request_json) -> reply``.
A reply is a string (the message content), or a dict with ``content``, ``finish_reason``,
``tool_calls`` (a list of {name, arguments}: native tool calls, arguments sent as a JSON string),
``status`` (an HTTP error status to answer with instead), ``body`` (a whole response body to send
as is, with ``status`` or 200: an error object, no choices, ...) and ``delay`` (seconds).

The run's preflight call (apigen.llm.client.PREFLIGHT_PROMPT) is answered ``{"ok": true}`` and kept
apart in ``preflights``, so that scripts and request counts see only the run's own calls; a
"preflight" script answers it instead.

With ``max_in_flight_ok=N``, a request arriving while N requests are already being answered gets
a 429 at once (a provider's rate limit), counted in ``rate_limited`` and not in ``requests``.

Without a "solver" script, a round-trip solver request is answered with the calls the generator
was served for that query, of the functions the request offers (an agreeing solver), or with no
call when no such query was served or none of its functions is offered (so derived relevance rows
pass). Without a "rewrite" script, a missing-parameter rewrite request is answered with the query
minus the value it names, and a clarifying question.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from apigen.llm.client import PREFLIGHT_PROMPT

Reply = Any
Script = list | Callable[[dict], Reply]


def is_judge(request: dict) -> bool:
    system = next((m["content"] for m in request.get("messages", []) if m["role"] == "system"), "")
    return "reviewer" in system


def is_solver(request: dict) -> bool:
    """The round-trip solver's prompt (prompts/solver/answer.j2)."""
    system = next((m["content"] for m in request.get("messages", []) if m["role"] == "system"), "")
    return "function-calling assistant" in system


def is_rewrite(request: dict) -> bool:
    """The missing-parameter rewrite's prompt (prompts/derive/missing_parameter.j2)."""
    system = next((m["content"] for m in request.get("messages", []) if m["role"] == "system"), "")
    return "You edit user requests" in system


def is_preflight(request: dict) -> bool:
    return any(m.get("content") == PREFLIGHT_PROMPT for m in request.get("messages", []))


# The body OpenAI sends when a prompt is longer than the model's context.
CONTEXT_LENGTH_400 = {"status": 400, "body": {"error": {
    "message": "This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens. "
               "Please reduce the length of the messages.",
    "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}}
# A 200 whose body is an error object instead of a completion (some proxies answer so).
ERROR_OBJECT_200 = {"body": {"error": {"message": "the upstream model rejected this prompt", "type": "invalid_request_error",
                                       "code": 400}}}
# A 200 completion without choices.
NO_CHOICES = {"body": {"id": "chatcmpl-empty", "object": "chat.completion", "created": 0, "model": "fake-model",
                       "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 0, "total_tokens": 10}}}


def closed_port_url() -> str:
    """An api_base on 127.0.0.1 where nothing listens (a port just bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def default_router(request: dict) -> str:
    return ("judge" if is_judge(request) else "solver" if is_solver(request) else "rewrite" if is_rewrite(request)
            else "generator")


def solver_query(request: dict) -> str:
    """The query a solver prompt asks about (prompts/solver/answer.j2)."""
    prompt = request["messages"][-1]["content"]
    return prompt.split("User request:\n", 1)[-1].split("\n\n", 1)[0].strip()


def solver_tools(request: dict) -> list[str]:
    """The function names a solver prompt offers."""
    prompt = request["messages"][-1]["content"]
    tools = json.loads(prompt.split("Available functions:\n", 1)[-1].split("\n\nUser request:", 1)[0])
    return [t["name"] for t in tools]


def rewrite_parts(request: dict) -> tuple[str, str, object]:
    """(query, argument, value) of a rewrite prompt (prompts/derive/missing_parameter.j2)."""
    prompt = request["messages"][-1]["content"]
    query = prompt.split("Request:\n", 1)[-1].split("\n\n", 1)[0].strip()
    match = re.search(r'value of "([^"]+)" \((.*?)\) in any', prompt, re.DOTALL)
    assert match, prompt
    return query, match.group(1), json.loads(match.group(2))


def drop_value(request: dict) -> str:
    """The default rewrite: the query without the value's text, and a question asking for it."""
    query, argument, value = rewrite_parts(request)
    shown = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    rewritten = " ".join(re.sub(re.escape(shown), "", query, flags=re.IGNORECASE).split())
    return json.dumps({"query": rewritten, "question": f"Which {argument} should I use?"})


def _as_sent(text: str) -> str:
    """A generated query as a prompt carries it: lone surrogates become U+FFFD on the way out."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text.strip())


class FakeLLMServer:
    def __init__(self, scripts: dict[str, Script], router: Callable[[dict], str] = default_router,
                 latency_s: float = 0.0, fail_first: int = 0, fail_status: int = 500,
                 max_in_flight_ok: int | None = None):
        self.scripts, self.router, self.latency_s = scripts, router, latency_s
        self.fail_first, self.fail_status = fail_first, fail_status
        self.requests: list[dict] = []
        self.preflights: list[dict] = []
        self.generated: dict[str, list] = {}  # query -> answers, from the generator replies served
        self.served: dict[str, int] = {}
        self.in_flight = self.max_in_flight = 0  # requests being answered at once
        self.max_in_flight_ok = max_in_flight_ok
        self.rate_limited = 0  # requests answered 429 for going over max_in_flight_ok
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeLLMServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def routed(self, route: str) -> list[dict]:
        return [r for r in self.requests if self.router(r) == route]

    def _next_reply(self, request: dict) -> tuple[Reply, int]:
        if is_preflight(request):
            with self.lock:
                self.preflights.append(request)
                n = len(self.preflights)
            script = self.scripts.get("preflight", [json.dumps({"ok": True})])
            return (script(request) if callable(script) else script[min(n - 1, len(script) - 1)]), 0
        with self.lock:
            self.requests.append(request)
            count = len(self.requests)
            if count <= self.fail_first:
                return {"status": self.fail_status}, count
            route = self.router(request)
            if route == "solver" and route not in self.scripts:
                offered = set(solver_tools(request))
                served = self.generated.get(solver_query(request), [])
                calls = [c for c in served if isinstance(c, dict) and c.get("name") in offered] if isinstance(served, list) else served
                return json.dumps({"calls": calls}), count
            if route == "rewrite" and route not in self.scripts:
                return drop_value(request), count
            script = self.scripts[route]
            n = self.served.get(route, 0)
            self.served[route] = n + 1
        reply = script(request) if callable(script) else script[min(n, len(script) - 1)]
        if route == "generator":
            self._remember(reply)
        return reply, count

    def _remember(self, reply: Reply) -> None:
        content = reply if isinstance(reply, str) else reply.get("content", "") if isinstance(reply, dict) else ""
        try:
            pairs = json.loads(content).get("pairs", [])
        except (ValueError, AttributeError):
            return
        with self.lock:
            for pair in pairs if isinstance(pairs, list) else []:
                if isinstance(pair, dict) and isinstance(pair.get("query"), str):
                    self.generated[_as_sent(pair["query"])] = pair.get("answers", [])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

            def do_POST(self) -> None:
                with server.lock:
                    limited = server.max_in_flight_ok is not None and server.in_flight >= server.max_in_flight_ok
                    server.rate_limited += limited
                    if not limited:
                        server.in_flight += 1
                        server.max_in_flight = max(server.max_in_flight, server.in_flight)
                if limited:
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    self._send(429, {"error": {"message": "rate limit: too many requests in flight",
                                               "type": "rate_limit_error"}})
                    return
                try:
                    self._answer()
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def _answer(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                reply, count = server._next_reply(body)
                reply = {"content": reply} if isinstance(reply, str) else dict(reply)
                time.sleep(reply.get("delay", server.latency_s))
                if "body" in reply:  # a whole response body, as scripted (an error object, no choices, ...)
                    self._send(reply.get("status", 200), reply["body"])
                    return
                if reply.get("status"):
                    self._send(reply["status"], {"error": {"message": "scripted fault", "type": "server_error"}})
                    return
                content = reply.get("content", "")
                message: dict[str, Any] = {"role": "assistant", "content": content}
                if reply.get("tool_calls"):
                    message["tool_calls"] = [{"id": f"call_{i}", "type": "function",
                                              "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
                                             for i, c in enumerate(reply["tool_calls"])]
                self._send(200, {
                    "id": f"chatcmpl-{count}", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "fake-model"),
                    "choices": [{"index": 0, "finish_reason": reply.get("finish_reason", "stop"), "message": message}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": max(1, len(content) // 4),
                              "total_tokens": 10 + max(1, len(content) // 4)},
                })

        return Handler
