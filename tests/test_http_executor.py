"""The HTTP executor against a real HTTP server on 127.0.0.1, started by the test."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from apigen.catalog import load_catalog
from apigen.execution import ExecutionService, HttpExecutor, SandboxPool
from apigen.records import ExecutorBinding
from apigen.verify.execution import ExecutionStage

DATA = Path(__file__).parent / "data"


class Handler(BaseHTTPRequestHandler):
    seen: list = []

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: str, kind: str = "application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        Handler.seen.append(self.path)
        if self.path.startswith("/v1/pets/"):
            pet_id = self.path.rsplit("/", 1)[1]
            if pet_id == "404":
                return self._send(404, json.dumps({"error": "no such pet"}))
            return self._send(200, json.dumps({"id": pet_id, "name": "Rex"}))
        if self.path.startswith("/v1/pets"):
            return self._send(200, json.dumps([{"id": "1", "species": "dog"}]))
        if self.path == "/v1/status":
            return self._send(200, "all good", "text/plain")
        if self.path == "/v1/boom":
            return self._send(503, "down for maintenance", "text/plain")
        if self.path == "/v1/slow":
            time.sleep(2)
            return self._send(200, "{}")
        if self.path == "/v1/big":
            return self._send(200, json.dumps("x" * 50000))
        if self.path == "/v1/drip":  # headers at once, then one byte every 0.5 s for 10 s
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "20")
            self.end_headers()
            for _ in range(20):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:  # the client gave up, as it should
                    return
                time.sleep(0.5)
            return
        return self._send(404, "{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self._send(201, json.dumps({"created": body}))


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def call(base: str, function: str, args: dict, params: dict | None = None, hosts=("127.0.0.1",), **kw):
    binding = ExecutorBinding("http", base, function, {"params": params or {}, "allowed_hosts": list(hosts)})
    return asyncio.run(HttpExecutor(**kw).execute(binding, args))


def test_json_and_text_bodies_and_path_encoding(server):
    ok = call(server, "GET /pets/{petId}", {"petId": "7"}, {"petId": "path"})
    assert ok.ok and ok.result == {"id": "7", "name": "Rex"}
    text = call(server, "GET /status", {})
    assert text.ok and text.result == "all good"
    call(server, "GET /pets/{petId}", {"petId": "../status"}, {"petId": "path"})
    assert Handler.seen[-1] == "/v1/pets/%2E%2E%2Fstatus"  # cannot escape the path
    listed = call(server, "GET /pets", {"species": "dog", "limit": 2}, {"species": "query", "limit": "query"})
    assert listed.ok and Handler.seen[-1] == "/v1/pets?species=dog&limit=2"


@pytest.mark.parametrize("value", ["..", ".", "../..", "a/../../status", "%2e%2e"])
def test_path_arguments_cannot_change_the_path(server, value):
    call(server, "GET /pets/{petId}", {"petId": value}, {"petId": "path"})
    path = Handler.seen[-1]
    assert path.startswith("/v1/pets/") and "/" not in path[len("/v1/pets/"):], path
    assert "." not in path, path  # dots are encoded, so no server or client resolves them


def test_an_empty_path_argument_is_refused(server):
    before = len(Handler.seen)
    empty = call(server, "GET /pets/{petId}", {"petId": ""}, {"petId": "path"})
    assert empty.code == "invalid_value" and "empty" in empty.message
    assert len(Handler.seen) == before  # nothing was sent


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b"])
def test_control_characters_in_a_header_have_their_own_code(server, value):
    before = len(Handler.seen)
    refused = call(server, "GET /status", {"token": value}, {"token": "header"})
    assert not refused.ok and refused.code == "invalid_header" and "token" in refused.message
    assert len(Handler.seen) == before
    assert call(server, "GET /status", {"token": "a\tb"}, {"token": "header"}).ok


def test_a_slow_drip_cannot_outlast_the_deadline(server):
    started = time.perf_counter()
    dripped = call(server, "GET /drip", {}, timeout_s=1)
    elapsed = time.perf_counter() - started
    assert dripped.code == "timeout", dripped
    assert elapsed < 3, elapsed


def test_status_codes_are_classified(server):
    missing = call(server, "GET /pets/{petId}", {"petId": "404"}, {"petId": "path"})
    assert not missing.ok and missing.code == "http_error" and "404" in missing.message
    down = call(server, "GET /boom", {})
    assert down.code == "http_error" and "503" in down.message and "server error" in down.message


def test_other_hosts_are_refused(server):
    refused = call(server.replace("127.0.0.1", "localhost"), "GET /status", {})
    assert refused.code == "host_not_allowed"
    nothing_allowed = call(server, "GET /status", {}, hosts=())
    assert nothing_allowed.code == "host_not_allowed"


def test_timeout_size_cap_and_missing_path_argument(server):
    slow = call(server, "GET /slow", {}, timeout_s=0.5)
    assert slow.code == "timeout"
    big = call(server, "GET /big", {}, max_result_chars=1000)
    assert big.code == "output_too_large"
    missing = call(server, "GET /pets/{petId}", {}, {"petId": "path"})
    assert missing.code == "invalid_value"


def test_openapi_import_runs_through_the_execution_stage(server, tmp_path: Path):
    doc = tmp_path / "petstore.yaml"
    doc.write_text((DATA / "petstore.yaml").read_text().replace("http://127.0.0.1:PORT/v1", server))
    catalog = load_catalog([], sources=[{"format": "openapi", "path": str(doc), "allowed_hosts": ["127.0.0.1"]}])
    checker = ExecutionStage(catalog, ExecutionService(SandboxPool(workers=1)))
    created = asyncio.run(checker._run("createPet", {"name": "Tom", "species": "cat"}))
    assert created.ok and created.result == {"created": {"name": "Tom", "species": "cat"}}
    fetched = asyncio.run(checker._run("getPet", {"petId": "42"}))
    assert fetched.ok and fetched.result["id"] == "42"
