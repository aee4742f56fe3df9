"""The seed feedback loop (sampler.feedback): rounds of sample indexes, each drawing few-shot
examples from the seed file plus rows kept in earlier rounds; deterministic under concurrency,
kills and resumes; off, it changes no request and no prompt."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from apigen.build import build
from apigen.runner import run

from conftest import TEST_DATA, FakeLLMServer, compose_config, fake_llm_overrides, read_jsonl, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "requests_off.json"
REMOTE = ["llm=openai_compatible", "llm.api_base=http://127.0.0.1:9/v1", "llm.model=openai/fake-model"]
ROUND = 2
NUM_SAMPLES = 6


def _requests_and_prompts(overrides: list[str]) -> list[dict]:
    components = build(compose_config(REMOTE + overrides))
    rows = []
    for i in range(40):
        request = components.generator.request(i)
        row = request.to_dict()
        row.pop("derive")
        prompt = components.generator.prompt(request).to_dict()
        row["prompt_sha256"] = hashlib.sha256(json.dumps(prompt, ensure_ascii=False).encode()).hexdigest()
        rows.append(row)
    return json.loads(json.dumps(rows))  # as the golden file holds them (lists, not tuples)


def test_off_the_requests_prompts_and_sample_ids_are_those_of_the_code_before_it():
    """tests/golden/requests_off.json was first written by the code before derived styles and feedback
    existed. A change to the generator templates changes the generation digest (it hashes them),
    and with it every sample id and draw: the file was rewritten, with feedback off, when the
    templates learnt to show what each function returns."""
    golden = json.loads(GOLDEN.read_text())
    assert _requests_and_prompts([]) == golden["default"]
    off = ["+experiment=diverse", "sampler.styles.irrelevance=0", "sampler.styles.missing_parameter=0"]
    assert _requests_and_prompts(off) == golden["diverse_base"]


def generator(request: dict) -> dict:
    """A reply that is a function of the prompt alone, answered after a delay that is too (so
    with concurrency, samples finish out of index order)."""
    prompt = request["messages"][-1]["content"]
    n = int(hashlib.sha256(prompt.encode()).hexdigest(), 16)
    pairs = [{"query": f"Divide {n % 10000 + k} by 4.", "answers": [{"name": "divide", "arguments": {"a": n % 10000 + k, "b": 4}}]}
             for k in range(2)]
    return {"content": json.dumps({"pairs": pairs}), "delay": (n % 7) / 100}


JUDGE = [json.dumps({"thought": "ok", "passed": True})]


def overrides(server: FakeLLMServer, *extra: str) -> list[str]:
    return [*fake_llm_overrides(server), f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]", "catalog.apis=[divide]",
            "sampler=simple_only", "sampler.examples_per_prompt={min: 1, max: 1}", f"sampler.feedback.round_size={ROUND}",
            "sampler.feedback.share=1.0", f"num_samples={NUM_SAMPLES}", "output=all_formats",
            # no dedup: two samples with the same prompt get the same queries, and which copy dedup keeps
            # depends on completion order (docs/ARCHITECTURE.md), a different thing from what is tested here
            "verifier.stages=[format,execution,grounding,roundtrip,semantic]", *extra]


def prompts(run_dir: Path) -> dict[int, tuple]:
    """index -> (example ids, prompt messages) of each sample's latest attempt."""
    latest: dict[int, dict] = {}
    for record in read_jsonl(run_dir / "candidates.jsonl"):
        latest[record["request"]["index"]] = record
    return {i: (tuple(r["request"]["example_ids"]), json.dumps(r["prompt"]["messages"])) for i, r in sorted(latest.items())}


def exported(run_dir: Path) -> bytes:
    return (run_dir / "dataset" / "examples.jsonl").read_bytes()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("feedback") / "run"
    with FakeLLMServer({"generator": generator, "judge": JUDGE}) as server:
        result = run_cli([*overrides(server, "concurrency=1"), f"hydra.run.dir={run_dir}"])
    assert result.returncode == 0, result.stderr[-3000:]
    return run_dir


def test_round_r_draws_rows_kept_in_earlier_rounds(reference):
    outcomes = read_jsonl(reference / "verdicts.jsonl")
    kept_at = {o["candidate_id"]: o["index"] for o in outcomes if o["kept"]}
    queries = {o["candidate_id"]: o["example"]["query"] for o in outcomes if o["kept"]}
    samples = prompts(reference)
    assert len(samples) == NUM_SAMPLES
    for index, (example_ids, messages) in samples.items():
        if index < ROUND:  # round 0: the seed file only
            assert all(e.startswith("seed-") for e in example_ids)
            continue
        start = index // ROUND * ROUND
        assert example_ids and all(kept_at[e] < start for e in example_ids), (index, example_ids)  # share 1.0: all grown
        assert all(json.dumps(queries[e])[1:-1] in messages for e in example_ids)
    # the pool grows: the last round draws from rows of rounds 0 and 1
    assert {kept_at[e] // ROUND for i, (ids, _) in samples.items() if i >= 2 * ROUND for e in ids} <= {0, 1}


def test_concurrency_and_resume_after_a_kill_give_the_same_prompts_and_rows(reference, tmp_path):
    ref_prompts, ref_rows = prompts(reference), exported(reference)
    with FakeLLMServer({"generator": generator, "judge": JUDGE}) as server:
        concurrent = tmp_path / "concurrent"
        run(compose_config(overrides(server, "concurrency=4")), concurrent)
        assert prompts(concurrent) == ref_prompts and exported(concurrent) == ref_rows
        candidates = (reference / "candidates.jsonl").read_bytes().splitlines(keepends=True)
        verdicts = iter((reference / "verdicts.jsonl").read_bytes().splitlines(keepends=True))
        events = []
        for line in candidates:
            events.append(("candidates.jsonl", line))
            events += [("verdicts.jsonl", next(verdicts)) for _ in json.loads(line)["candidates"]]
        for cut in range(1, len(events), 4):  # killed between two writes, in every round
            run_dir = tmp_path / f"cut{cut}"
            run_dir.mkdir()
            (run_dir / "manifest.json").write_bytes((reference / "manifest.json").read_bytes())
            for name in ("candidates.jsonl", "verdicts.jsonl"):
                (run_dir / name).write_bytes(b"".join(line for f, line in events[:cut] if f == name))
            run(compose_config(overrides(server, "concurrency=3")), run_dir)
            assert prompts(run_dir) == ref_prompts, cut
            assert exported(run_dir) == ref_rows, cut


def test_a_round_waits_for_the_rounds_before_it(tmp_path):
    """A generation call that fails in round 0 leaves round 1 unstarted; the rerun finishes both."""
    run_dir = tmp_path / "run"
    calls = {"n": 0}

    def flaky(request: dict) -> dict:
        calls["n"] += 1
        return {"status": 500} if calls["n"] <= 2 else generator(request)  # the first call and its retry fail

    with FakeLLMServer({"generator": flaky, "judge": JUDGE}) as server:
        args = [*overrides(server, "concurrency=1", "num_samples=4", "llm.max_consecutive_failures=0"), f"hydra.run.dir={run_dir}"]
        first = run_cli(args)
        assert first.returncode == 3, first.stderr[-3000:]
        assert "Feedback round 1 was not started" in first.stdout
        assert sorted(prompts(run_dir)) == [1]  # sample 0 failed; round 1 (samples 2, 3) waited
        second = run_cli(args)
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(prompts(run_dir)) == [0, 1, 2, 3]


def test_the_pool_holds_the_latest_pool_size_call_rows_in_index_order():
    from apigen.config import FeedbackConfig
    from apigen.records import Example, ToolCall
    from apigen.sampling import FewShotPool

    def row(cid: str, style: str = "simple", calls: tuple = (ToolCall("divide", {"a": 1, "b": 2}),)) -> Example:
        return Example(cid, "s", f"query {cid}", ({"name": "divide"},), calls, style=style)

    pool = FewShotPool([], FeedbackConfig(round_size=4, pool_size=2))
    kept = [row("a"), row("b"), row("no-call", "irrelevance", ()), row("c")]
    pool.grow(1, iter(kept))
    assert [e.id for e in pool.grown] == ["b", "c"]  # no-call rows are no example of the call format
    assert pool.examples_for(5) == pool.grown and pool.get("c").answers == [{"name": "divide", "arguments": {"a": 1, "b": 2}}]
    with pytest.raises(Exception, match="round 2"):
        pool.examples_for(8)
