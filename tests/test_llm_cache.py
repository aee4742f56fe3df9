"""The on-disk LLM response cache (llm.cache) against a real HTTP server that counts requests:
a call asked again is answered from disk, a failed call is never stored, what shapes the answer
is in the key, and several processes may write one directory at once."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap

from apigen.config import LLMConfig
from apigen.llm.cache import ResponseCache
from apigen.llm.client import LLMClient

from conftest import ROOT, TEST_DATA, FakeLLMServer, fake_llm_overrides, judge, pairs, read_jsonl, run_cli

MESSAGES = ({"role": "user", "content": "hello"},)


def _client(server: FakeLLMServer, cache_dir, **overrides) -> LLMClient:
    settings = {"max_retries": 0, "retry_backoff_s": 0.01, "timeout_s": 5.0, "api_key": "test", **overrides}
    return LLMClient(LLMConfig(model="openai/fake-model", api_base=server.api_base, cache=True,
                               cache_dir=str(cache_dir), **settings))


def test_a_call_asked_again_is_answered_from_disk_without_a_request(tmp_path):
    with FakeLLMServer({"generator": ["first", "second"]}) as server:
        first = asyncio.run(_client(server, tmp_path).complete("s1", MESSAGES))
        again = asyncio.run(_client(server, tmp_path).complete("s1", MESSAGES))  # a new client: a rerun
        assert len(server.requests) == 1
    assert first.text == again.text == "first"
    assert again.usage.calls == 0 and first.usage.calls == 1  # the hit cost nothing


def test_what_shapes_the_answer_is_in_the_key_and_where_it_is_sent_is_not(tmp_path):
    with FakeLLMServer({"generator": [str(i) for i in range(20)]}) as server:
        client = _client(server, tmp_path)

        def ask(sample="s1", **kwargs):
            return asyncio.run(client.complete(sample, MESSAGES, **kwargs)).text

        base = ask()
        variants = [ask(temperature=0.1), ask(seed=7), ask(draw=1), ask(sample="s2"),
                    ask(tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]),
                    asyncio.run(client.complete("s1", ({"role": "user", "content": "other"},))).text,
                    asyncio.run(_client(server, tmp_path, max_tokens=5).complete("s1", MESSAGES)).text,
                    asyncio.run(_client(server, tmp_path, extra={"top_p": 0.5}).complete("s1", MESSAGES)).text]
        assert len(server.requests) == 1 + len(variants)
        moved = _client(server, tmp_path, timeout_s=9.0, api_key="another-key")  # same ask, other transport
        assert asyncio.run(moved.complete("s1", MESSAGES)).text == base
        assert len(server.requests) == 1 + len(variants)
    assert len(set(variants) | {base}) == len(variants) + 1


def test_failed_calls_are_not_stored(tmp_path):
    with FakeLLMServer({"generator": [{"status": 500}, "fine"]}) as server:
        failed = asyncio.run(_client(server, tmp_path).complete("s1", MESSAGES))
        later = asyncio.run(_client(server, tmp_path).complete("s1", MESSAGES))
        assert len(server.requests) == 2
    assert failed.error and later.text == "fine"
    assert not any(p.suffix == ".tmp" for p in tmp_path.rglob("*"))


def test_off_by_default(tmp_path):
    with FakeLLMServer({"generator": ["a", "b"]}) as server:
        cfg = LLMConfig(model="openai/fake-model", api_base=server.api_base, api_key="test", cache_dir=str(tmp_path))
        texts = [asyncio.run(LLMClient(cfg).complete("s1", MESSAGES)).text for _ in range(2)]
    assert texts == ["a", "b"] and not any(tmp_path.iterdir())


def test_several_processes_write_one_directory_at_once(tmp_path):
    writer = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from apigen.llm.cache import ResponseCache
        from apigen.records import Completion
        cache = ResponseCache({str(tmp_path)!r})
        for i in range(300):
            key = cache.key({{"model": "m", "messages": [str(i % 50)]}}, "s", 0)
            cache.put(key, Completion(sample_id="s", text=f"answer {{i % 50}} " + "x" * 5000, model="m"))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", writer]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    cache = ResponseCache(tmp_path)
    for i in range(50):
        hit = cache.get(cache.key({"model": "m", "messages": [str(i)]}, "s", 0))
        assert hit is not None and hit.text.startswith(f"answer {i} ")
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))


GENERATOR = [pairs(("What is 10 divided by 4?", [("divide", {"a": 10, "b": 4})])),
             pairs(("What is 9 divided by 3?", [("divide", {"a": 9, "b": 3})])),
             pairs(("What is 8 divided by 2?", [("divide", {"a": 8, "b": 2})]))]


def _run(run_dir, server, cache_dir, extra=()):
    return run_cli([*fake_llm_overrides(server), f"hydra.run.dir={run_dir}", f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]",
                    "catalog.apis=[divide]", "sampler=simple_only", "num_samples=3", "concurrency=1",
                    "verifier.stages=[format,dedup,execution,grounding,roundtrip]", "llm.cache=true",
                    f"llm.cache_dir={cache_dir}", *extra])


def test_a_rerun_in_a_new_directory_and_a_crashed_run_are_verified_again_without_generating(tmp_path):
    cache_dir = tmp_path / "cache"
    with FakeLLMServer({"generator": GENERATOR}) as server:
        first = _run(tmp_path / "first", server, cache_dir)
        assert len(server.routed("generator")) == 3 and len(server.routed("solver")) == 6
    assert first.returncode == 0, first.stderr[-3000:]
    kept = [o["example"]["query"] for o in read_jsonl(tmp_path / "first" / "verdicts.jsonl") if o["kept"]]
    assert len(kept) == 3

    # A new directory with a changed verifier: nothing is generated or solved again.
    with FakeLLMServer({"generator": ["never served"]}) as server:
        again = _run(tmp_path / "again", server, cache_dir, ["verifier.roundtrip.min_agree=2"])
        assert server.requests == []
    assert again.returncode == 0, again.stderr[-3000:]
    assert [o["example"]["query"] for o in read_jsonl(tmp_path / "again" / "verdicts.jsonl") if o["kept"]] == kept
    manifest = json.loads((tmp_path / "again" / "manifest.json").read_text())
    assert manifest["usage"]["calls"] == 0

    # A run killed after generating, before verifying: its rerun asks the model nothing again.
    (tmp_path / "first" / "verdicts.jsonl").write_text("")
    with FakeLLMServer({"generator": ["never served"]}) as server:
        resumed = _run(tmp_path / "first", server, cache_dir)
        assert server.requests == []
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert sum(o["kept"] for o in read_jsonl(tmp_path / "first" / "verdicts.jsonl")) == 3


def test_a_judges_votes_are_cached_apart_so_a_rerun_sees_the_same_votes(tmp_path):
    cache_dir = tmp_path / "cache"
    votes = [judge(True), judge(False), judge(True)] * 10  # served in order: the votes of one candidate differ
    extra = ["verifier.stages=[format,semantic]", "verifier.semantic.votes=3", "verifier.semantic.pass_threshold=0.6",
             "num_samples=1"]
    with FakeLLMServer({"generator": GENERATOR, "judge": votes}) as server:
        first = _run(tmp_path / "first", server, cache_dir, extra)
        assert len(server.routed("judge")) == 3
    assert first.returncode == 0, first.stderr[-3000:]
    with FakeLLMServer({"generator": ["never served"], "judge": [judge(False)]}) as server:
        again = _run(tmp_path / "again", server, cache_dir, extra)
        assert server.requests == []
    assert again.returncode == 0, again.stderr[-3000:]

    def semantic_votes(run_dir):
        (outcome,) = read_jsonl(run_dir / "verdicts.jsonl")
        return next(v for v in outcome["verdicts"] if v["stage"] == "semantic")["data"]["votes"]

    assert sorted(semantic_votes(tmp_path / "first")) == [False, True, True]
    assert semantic_votes(tmp_path / "again") == semantic_votes(tmp_path / "first")
