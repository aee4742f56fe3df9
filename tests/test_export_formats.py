"""Training-format exports (apigen/export/): every format written, read back, gives the same rows
and calls (no-call rows included); BFCL-style Python call strings parse back with ``ast``; the
dataset card says what the run was; the split by API never lets a held-out function into train;
and the real CLI against the fake server writes all of it."""

from __future__ import annotations

import ast
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
from datasets import DatasetDict, load_from_disk

from apigen.config import EXPORT_FORMATS, ConfigError, validate
from apigen.eval.items import file_items
from apigen.export.api_split import ApiSplit
from apigen.export.card import render_card
from apigen.export.dataset import FORMAT_FILES, write_dataset
from apigen.export.python_calls import NotPythonExpressible, format_calls, parse_calls
from apigen.records import Example, ToolCall
from apigen.report import render_table, stage_statistics

from conftest import TEST_DATA, FakeLLMServer, compose_config, fake_llm_overrides, judge, read_jsonl, run_cli


def tool(name: str, *args: str) -> dict:
    return {"name": name, "description": f"{name} does things",
            "parameters": {"type": "object", "properties": {a: {"type": "string", "description": a} for a in args},
                           "required": list(args[:1])}}


WEATHER, CONVERT, FACTORIAL = tool("get_weather", "city", "unit"), tool("convert", "amount", "rates"), tool("math.factorial", "n")
ODD = tool("get-stock", "symbol")  # a catalog name may hold '-': no Python spelling

EXAMPLES = [
    Example("c0", "s0", "Weather in Paris, in celsius?", (WEATHER, CONVERT),
            (ToolCall("get_weather", {"city": "Paris", "unit": "celsius"}),), style="multiple"),
    Example("c1", "s1", "Convert 12.5 for O'Brien in Zürich", (CONVERT,),
            (ToolCall("convert", {"amount": -12.5, "rates": {"eur": [1, 2.25, None], "ok": True}}),
             ToolCall("convert", {"amount": 3, "rates": {}})), style="parallel"),
    Example("c2", "s2", "What is 5 factorial?", (FACTORIAL,), (ToolCall("math.factorial", {"n": 5}),), style="simple"),
    Example("c3", "s3", "Book me a flight to Rome.", (WEATHER,), (), style="irrelevance",
            assistant_text="I cannot book flights: the tools only give weather."),
    Example("c4", "s4", "Price of ACME?", (ODD,), (ToolCall("get-stock", {"symbol": "ACME"}),), style="simple"),
]


def _calls(calls: list[dict] | tuple[ToolCall, ...]) -> list[tuple[str, dict]]:
    return [(c.name, c.arguments) if isinstance(c, ToolCall) else (c["name"], c["arguments"]) for c in calls]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("dataset")
    summary = write_dataset(EXAMPLES, folder, EXPORT_FORMATS, None)
    return folder, summary


def test_python_call_strings_parse_back_with_ast_to_the_same_calls() -> None:
    calls = EXAMPLES[1].answers + EXAMPLES[2].answers
    text = format_calls(calls)
    assert text.startswith("[convert(amount=-12.5, rates={'eur': [1, 2.25, None], 'ok': True}), convert(")
    assert isinstance(ast.parse(text, mode="eval").body, ast.List)
    assert parse_calls(text) == calls
    assert format_calls([ToolCall("get_weather", {"city": "Paris", "unit": "celsius"})]) == "[get_weather(city='Paris', unit='celsius')]"
    assert format_calls([]) == "[]" and parse_calls("[]") == ()
    for bad in (ToolCall("get-stock", {}), ToolCall("f", {"from": 1}), ToolCall("f", {"x": float("nan")})):
        with pytest.raises(NotPythonExpressible):
            format_calls([bad])
    for not_calls in ("get_weather(city='x')", "[f(1)]", "[f(**k)]", "[f(a=g())]", "[f("):
        with pytest.raises(ValueError):
            parse_calls(not_calls)


def test_xlam_files_and_dataset_round_trip_with_no_call_rows(exported) -> None:
    folder, _ = exported
    rows = json.loads((folder / "examples.json").read_text())
    assert rows == read_jsonl(folder / "examples.jsonl") == [dict(r) for r in load_from_disk(str(folder))]
    from datasets import load_dataset
    assert [dict(r) for r in load_dataset("parquet", data_files=str(folder / "examples.parquet"), split="train")] == rows
    assert [r["id"] for r in rows] == list(range(len(EXAMPLES)))
    items = file_items(folder / "examples.jsonl")  # the evaluator reads the rows back
    for example, item in zip(EXAMPLES, items, strict=True):
        assert (item.query, _calls(item.reference)) == (example.query, _calls(example.answers))
        assert [t.name for t in item.tools] == [t["name"] for t in example.tools]
    assert json.loads(rows[3]["answers"]) == [] and items[3].category == "irrelevance"


def test_openai_rows_round_trip_with_tool_calls_or_the_assistant_text(exported) -> None:
    folder, _ = exported
    rows = read_jsonl(folder / "openai.jsonl")
    items = file_items(folder / "openai.jsonl")
    for example, row, item in zip(EXAMPLES, rows, items, strict=True):
        user, assistant = row["messages"]
        assert user == {"role": "user", "content": example.query}
        assert [t["function"] for t in row["tools"]] == [{k: t[k] for k in ("name", "description", "parameters")} for t in example.tools]
        assert _calls(item.reference) == _calls(example.answers)
        calls = [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in assistant.get("tool_calls", [])]
        assert calls == _calls(example.answers)
    no_call = rows[3]["messages"][1]
    assert no_call == {"role": "assistant", "content": EXAMPLES[3].assistant_text}  # plain text, no tool_calls


def test_sharegpt_rows_round_trip_with_a_function_call_or_a_gpt_turn(exported) -> None:
    folder, _ = exported
    rows = read_jsonl(folder / "sharegpt.jsonl")
    for example, row in zip(EXAMPLES, rows, strict=True):
        human, answer = row["conversations"]
        assert human == {"from": "human", "value": example.query}
        assert json.loads(row["tools"]) == list(example.tools)
        if example.answers:
            assert answer["from"] == "function_call" and _calls(json.loads(answer["value"])) == _calls(example.answers)
        else:
            assert answer == {"from": "gpt", "value": example.assistant_text}


def test_bfcl_python_rows_parse_back_and_rows_without_a_python_spelling_are_counted(exported) -> None:
    folder, summary = exported
    rows = read_jsonl(folder / "bfcl_python.jsonl")
    assert [r["id"] for r in rows] == [0, 1, 2, 3]  # the get-stock row (id 4) has no Python spelling
    for example, row in zip(EXAMPLES, rows, strict=False):
        assert row["question"] == [[{"role": "user", "content": example.query}]]
        assert [f["name"] for f in row["function"]] == [t["name"] for t in example.tools]
        assert row["function"][0]["parameters"]["type"] == "dict"  # BFCL's type names
        assert parse_calls(row["answer"]) == example.answers
    assert rows[2]["answer"] == "[math.factorial(n=5)]" and rows[3]["answer"] == "[]"
    assert summary.left_out == Counter({"bfcl_python": 1})
    assert summary.files["bfcl_python"] == {"bfcl_python.jsonl": 4} and summary.files["openai"] == {"openai.jsonl": 5}


def test_every_configured_format_has_a_writer_and_unknown_ones_are_refused() -> None:
    assert set(FORMAT_FILES) == set(EXPORT_FORMATS)
    assert compose_config(["output=all_formats"]).output.formats == list(EXPORT_FORMATS)
    for override, key in ((["output.formats=[openai,alpaca]"], "output.formats"), (["output.split=by_row"], "output.split"),
                          (["output.test_share=1.0"], "output.test_share")):
        with pytest.raises(ConfigError, match=key):
            validate(compose_config(override))


def _many_examples(count: int) -> list[Example]:
    names = [f"api_{i}" for i in range(30)]
    out = []
    for i in range(count):
        offered = tuple(tool(names[(i * k + 3) % 30], "x") for k in (1, 7, 11)[: 1 + i % 3])
        out.append(Example(f"c{i}", f"s{i}", f"query {i}", offered, (ToolCall(offered[0]["name"], {"x": str(i)}),),
                           style="multiple"))
    return out


def test_split_by_api_never_puts_a_held_out_function_into_train(tmp_path: Path) -> None:
    examples, rule = _many_examples(120), ApiSplit(0.3, seed=1)
    summary = write_dataset(examples, tmp_path, ["openai", "jsonl", "parquet", "bfcl_python"], rule)
    train = read_jsonl(tmp_path / "openai.train.jsonl")
    test = read_jsonl(tmp_path / "openai.test.jsonl")
    assert train and test and len(train) + len(test) == 120
    held = {n for n in (f"api_{i}" for i in range(30)) if rule.held_out(n)}
    assert 0 < len(held) < 30 and summary.held_out == held
    for row in train:
        assert not {t["function"]["name"] for t in row["tools"]} & held
    for row in test:
        assert {t["function"]["name"] for t in row["tools"]} & held
    dataset = load_from_disk(str(tmp_path))
    assert isinstance(dataset, DatasetDict) and dataset["train"].num_rows == len(train) == summary.rows["train"]
    assert sorted(list(dataset["train"]["id"]) + list(dataset["test"]["id"])) == list(range(120))
    assert [r["id"] for r in read_jsonl(tmp_path / "bfcl_python.test.jsonl")] == list(dataset["test"]["id"])
    assert (tmp_path / "examples.train.parquet").is_file() and not (tmp_path / "examples.jsonl").exists()
    assert {n for n in (f"api_{i}" for i in range(30)) if ApiSplit(0.3, seed=2).held_out(n)} != held  # the seed matters


def test_the_card_names_models_settings_stages_mix_files_split_and_licence(tmp_path: Path) -> None:
    cfg = compose_config(["output.license=cc-by-4.0", "llm=openai_compatible", "llm.model=openai/gen-model", "output.split=by_api"])
    rule = ApiSplit(0.5, seed=0)
    summary = write_dataset(EXAMPLES, tmp_path, ["parquet", "openai"], rule)
    manifest = {"name": "cardrun", "status": "completed", "models": {"generator": "openai/gen-model", "judge": None},
                "versions": {"apigen": "9.9"}, "catalog": {"apis": 40, "categories": ["Weather", "Finance"]},
                "digests": {"run": "abc123"}, "overrides": ["seed=3", "name=a|b"],
                **stage_statistics(["format", "execution"], 9, 5, {("format", "invalid_json"): 3, ("execution", "runtime_error"): 1})}
    card = render_card(manifest, cfg, summary, {"get_weather": "Weather", "convert": "Finance"})
    front, body = card.split("\n---\n", 1)
    assert front.startswith("---\nlicense: \"cc-by-4.0\"") and '- "n<1K"' in front
    assert "- config_name: xlam\n  default: true" in front and "path: examples.train.parquet" in front
    assert "- config_name: openai" in front and "path: openai.test.jsonl" in front
    assert "generator: `openai/gen-model`" in body and "`seed=3 name=a\\|b`" in body and "abc123" in body
    assert render_table(manifest) in body and "`invalid_json`" in body  # report.py's table and breakdown
    assert "| parallel | 1 | 20.0% |" in body and "| irrelevance | 1 | 20.0% |" in body  # style and shape mix
    assert "| Finance | 2 |" in body and "| Weather | 1 |" in body  # calls by API category
    assert "`cc-by-4.0` (set by `output.license`)" in body
    assert f"{summary.rows['train']} train rows, {summary.rows['test']} test rows" in body
    assert all(f"`{name}`" in body for name in summary.held_out)
    assert compose_config([]).output.license == "unknown"


# ----- the real CLI, against the fake server -------------------------------------------------


def _generator():
    counter = itertools.count()

    def reply(request: dict) -> str:
        prompt = "\n".join(m["content"] for m in request["messages"])
        n = next(counter)
        if '"round_number"' in prompt:
            return json.dumps({"pairs": [{"query": f"Round {n}.14159 to 2 digits.",
                                          "answers": [{"name": "round_number", "arguments": {"value": n + 0.14159, "digits": 2}}]}]})
        return json.dumps({"pairs": [{"query": f"What is {n + 10} divided by 4?",
                                      "answers": [{"name": "divide", "arguments": {"a": n + 10, "b": 4}}]}]})
    return reply


def test_the_cli_writes_every_format_split_by_api_with_its_card(tmp_run: Path) -> None:
    seed = next(s for s in range(100) if ApiSplit(0.5, s).held_out("divide") != ApiSplit(0.5, s).held_out("round_number"))
    held = "divide" if ApiSplit(0.5, seed).held_out("divide") else "round_number"
    formats = "[" + ",".join(EXPORT_FORMATS) + "]"
    with FakeLLMServer({"generator": _generator(), "judge": [judge(True)]}) as server:
        result = run_cli([*fake_llm_overrides(server), f"hydra.run.dir={tmp_run}", f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]",
                          "catalog.apis=[divide,round_number]", "sampler=simple_only", "num_samples=8", "concurrency=1",
                          f"output.formats={formats}", "output.split=by_api", "output.test_share=0.5", f"output.split_seed={seed}",
                          "output.license=cc-by-4.0"])
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_run / "dataset"
    dataset = load_from_disk(str(folder))
    assert isinstance(dataset, DatasetDict) and dataset["train"].num_rows and dataset["test"].num_rows
    kept = json.loads((tmp_run / "manifest.json").read_text())["counts"]["kept"]
    assert dataset["train"].num_rows + dataset["test"].num_rows == kept
    for split in ("train", "test"):
        rows = read_jsonl(folder / f"openai.{split}.jsonl")
        names = {t["function"]["name"] for r in rows for t in r["tools"]}
        assert (held in names) == (split == "test") and len(rows) == dataset[split].num_rows
        assert json.loads((folder / f"examples.{split}.json").read_text()) == [dict(r) for r in dataset[split]]
        assert read_jsonl(folder / f"examples.{split}.jsonl") == [dict(r) for r in dataset[split]]
        calls = [parse_calls(r["answer"]) for r in read_jsonl(folder / f"bfcl_python.{split}.jsonl")]
        assert calls == [tuple(ToolCall(**c) for c in json.loads(r["answers"])) for r in dataset[split]]
        assert len(read_jsonl(folder / f"sharegpt.{split}.jsonl")) == len(rows)
        assert (folder / f"examples.{split}.parquet").is_file()
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nlicense: \"cc-by-4.0\"") and "generator: `openai/fake-model`" in card
    assert f"Held-out functions offered by kept rows (1): `{held}`" in card and "| simple |" in card

    # python -m apigen.eval.split renders with the same module: the same openai rows, other split.
    from apigen.eval.split import main as split_main
    assert split_main([str(tmp_run), "--format", "openai", "--out", str(tmp_run / "evalsplit")]) == 0
    evaluated = read_jsonl(tmp_run / "evalsplit" / "train.jsonl") + read_jsonl(tmp_run / "evalsplit" / "test.jsonl")
    exported = read_jsonl(folder / "openai.train.jsonl") + read_jsonl(folder / "openai.test.jsonl")
    assert sorted(map(json.dumps, evaluated)) == sorted(map(json.dumps, exported))
