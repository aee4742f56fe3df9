"""The benchmarks' OpenAI-compatible server: fixed latency, one asyncio process (aiohttp), so that
hundreds of requests in flight cost it little CPU. Replies are those of tests/fake_llm_server.py's
routes (generator, judge), made valid for both apigen's and distilabel's APIGen parsers:

- apigen's generator gets ``{"pairs": [one pair]}``, distilabel's (system prompt "data labeler")
  a bare list with one pair; every query is new (a counter), so dedup keeps them all.
- apigen's judge gets ``{"thought", "passed": true}``, distilabel's ``{"thought", "passes": "yes"}``.

    python benchmarks/fast_fake_server.py --port 0 --latency 0.2     # prints "PORT <n>" when ready

GET /stats gives {"requests", "first", "last"} (monotonic seconds of the first and last request);
POST /reset clears them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import time

from aiohttp import web


def is_judge(request: dict) -> bool:
    """The routing of tests/fake_llm_server.py (not imported: it loads litellm, which this light
    process does not need)."""
    system = next((m["content"] for m in request.get("messages", []) if m["role"] == "system"), "")
    return "reviewer" in system


def _reply(request: dict, n: int) -> str:
    system = next((m["content"] for m in request.get("messages", []) if m["role"] == "system"), "")
    if "data quality evaluator" in system:  # distilabel's APIGenSemanticChecker
        return json.dumps({"thought": "the call matches the query", "passes": "yes"})
    if is_judge(request):
        return json.dumps({"thought": "the call matches the query", "passed": True})
    pair = {"query": f"Divide {n} by 4.", "answers": [{"name": "divide", "arguments": {"a": n, "b": 4}}]}
    return json.dumps([pair] if "data labeler" in system else {"pairs": [pair]})


def make_app(latency_s: float) -> web.Application:
    stats = {"requests": 0, "first": None, "last": None}

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        now = time.monotonic()
        stats["requests"] += 1
        stats["first"] = stats["first"] or now
        stats["last"] = now
        content = _reply(body, stats["requests"])
        await asyncio.sleep(latency_s)
        return web.json_response({
            "id": f"chatcmpl-{stats['requests']}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": len(content) // 4, "total_tokens": 10 + len(content) // 4},
        })

    async def get_stats(_request: web.Request) -> web.Response:
        return web.json_response(stats)

    async def reset(_request: web.Request) -> web.Response:
        stats.update(requests=0, first=None, last=None)
        return web.json_response(stats)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/chat/completions", completions)
    app.router.add_get("/stats", get_stats)
    app.router.add_post("/reset", reset)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(4096)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    web.run_app(make_app(args.latency), sock=sock, print=None, access_log=None, backlog=4096)


if __name__ == "__main__":
    main()
