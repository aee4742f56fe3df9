"""Every bad input a user can give ends in a short message naming the problem: non-zero exit, no
traceback. One table, run through the real command line (``apigen.__main__.cli`` in a fresh
process per case, see cli_batch.py), with the LLM pointed at the fake server; no case gets as far
as an LLM call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TEST_DATA, FakeLLMServer, fake_llm_overrides

DOCUMENTED_FUNCTION = '''def real(x: int) -> int:
    """Real.

    Args:
        x: A number.
    """
    return x
'''


def _json_spec(target: str, function: str) -> str:
    return json.dumps([{"name": "f", "description": "F.", "category": "Math",
                        "parameters": {"type": "object", "properties": {}},
                        "executor": {"kind": "python", "target": target, "function": function}}])


FILES = {  # the bad files the cases point at, relative to the case folder
    "conf/llm/typo.yaml": "model: openai/x\ntemprature: 0.2\n",
    "catalog/syntax.py": "def (:\n",
    "catalog/nohint.py": 'def f(x):\n    """F.\n\n    Args:\n        x: X.\n    """\n',
    "catalog/boom.py": 'raise RuntimeError("boom at import")\n',
    "catalog/quits.py": "import sys\nsys.exit(0)\n",
    "catalog/bad_all.py": '__all__ = ["nope"]\n',
    "catalog/real.py": DOCUMENTED_FUNCTION,
    "catalog/missing_target.json": _json_spec("nothere.py", "real"),
    "catalog/missing_function.json": _json_spec("real.py", "imaginary"),
    "prompts/generator/broken.j2": "{% broken\n",
    "prompts/generator/undefined.j2": "=== user ===\n{{ no_such_variable }}\n",
    "bad_line.jsonl": "not json\n",
    "bad_style.jsonl": json.dumps({"id": "x", "style": "chatty", "query": "Hi?", "tools": [], "answers": []}) + "\n",
    "other_config/manifest.json": json.dumps({"digests": {"run": "another-config"}}),
    "damaged_manifest/manifest.json": '{"digests": {"run": ',
    "list_manifest/manifest.json": "[]",
    "digests_list_manifest/manifest.json": '{"digests": []}',
    "manifest_dir/manifest.json/x": "",  # manifest.json is a folder
    "damaged_stage/candidates.jsonl": "garbage\n",
    "a_file": "",
}

# (case id, arguments ({d}: the case folder, {data}: tests/data), what stderr must name).
# Cases marked "new" gave a traceback (or no error at all) before issue 10.
CASES = [
    # Hydra composition
    ("misspelled_key", ["llm.modle=openai/x"], "modle"),
    ("wrong_type", ["num_samples=many"], "num_samples"),
    ("wrong_type_nested", ["verifier.execution.timeout_s=abc"], "timeout_s"),
    ("unknown_key_without_plus", ["newkey=1"], "newkey"),
    ("unknown_group_option", ["llm=nope"], "llm/nope"),
    ("unknown_experiment", ["+experiment=nope"], "experiment/nope"),
    ("unknown_key_in_a_group_file", ["hydra.searchpath=[file://{d}/conf]", "llm=typo"], "temprature"),
    ("override_syntax", ["num_samples=[1"], "'[1'"),
    ("local_block_of_a_remote_llm", ["llm.local.n_threads=2"], "local"),
    # Config validation
    ("bad_range", ["sampler.queries_per_call.min=3", "sampler.queries_per_call.max=1"], "sampler.queries_per_call"),
    ("negative_num_samples", ["num_samples=-1"], "num_samples"),
    ("zero_concurrency", ["concurrency=0"], "concurrency"),
    ("unknown_style", ["+sampler.styles.chatty=1.0"], "sampler.styles"),
    ("all_style_weights_zero", ["sampler.styles.simple=0", "sampler.styles.multiple=0", "sampler.styles.parallel=0",
                                "sampler.styles.parallel_multiple=0"], "sampler.styles"),
    ("same_category_out_of_range", ["sampler.same_category=2"], "sampler.same_category"),
    ("no_generator_template", ["prompt.generator=[]"], "prompt.generator"),
    ("zero_judge_votes", ["verifier.semantic.votes=0"], "verifier.semantic.votes"),
    ("pass_threshold_zero", ["verifier.semantic.pass_threshold=0"], "verifier.semantic.pass_threshold"),
    ("roundtrip_min_agree_over_k", ["verifier.roundtrip.min_agree=5"], "verifier.roundtrip"),
    ("stages_not_starting_with_format", ["verifier.stages=[execution]"], "verifier.stages"),
    ("stage_listed_twice", ["verifier.stages=[format,format]"], "listed twice"),
    ("unknown_stage", ["verifier.stages=[format,nope]"], "'nope' is not a stage"),
    ("unknown_grounding_mode", ["verifier.grounding.mode=maybe"], "verifier.grounding.mode"),
    ("workers_with_feedback", ["workers=2", "sampler.feedback.round_size=5"], "sampler.feedback"),
    ("shards_with_feedback", ["shard.count=2", "sampler.feedback.round_size=5"], "sampler.feedback"),
    ("zero_execution_timeout", ["verifier.execution.timeout_s=0"], "verifier.execution"),
    ("zero_max_tokens", ["llm.max_tokens=0"], "max_tokens"),
    ("unknown_output_format", ["output.formats=[nope]"], "output.formats"),
    ("unknown_packaged_model", ["llm.model=local/nope"], "nope"),
    # Catalog
    ("unknown_category", ["catalog.categories=[Nope]"], "catalog.categories"),
    ("unknown_api", ["catalog.apis=[nope]"], "catalog.apis"),
    ("missing_catalog_path", ["catalog.paths=[{d}/nothere]"], "does not exist"),
    ("unknown_source_format", ["+catalog.sources=[{{format: yaml, path: x}}]"], "catalog.sources[0].format"),
    ("unsupported_xlam_type", ["+catalog.sources=[{{format: xlam, path: {data}/xlam_bad_type.json}}]"], "Callable"),
    ("catalog_syntax_error", ["catalog.paths=[{d}/catalog/syntax.py]"], "syntax.py"),
    ("catalog_missing_type_hint", ["catalog.paths=[{d}/catalog/nohint.py]"], "missing type hint"),
    ("new: catalog_raises_at_import", ["catalog.paths=[{d}/catalog/boom.py]"], "RuntimeError: boom at import"),
    ("new: catalog_exits_at_import", ["catalog.paths=[{d}/catalog/quits.py]"], "SystemExit"),
    ("new: catalog___all___names_nothing", ["catalog.paths=[{d}/catalog/bad_all.py]"], "__all__"),
    ("new: json_spec_target_missing", ["catalog.paths=[{d}/catalog/missing_target.json]"], "nothere.py' does not exist"),
    ("new: json_spec_function_missing", ["catalog.paths=[{d}/catalog/missing_function.json]"], "defines no 'imaginary'"),
    ("catalog_cli_missing_path", ["catalog", "list", "--path", "{d}/nothere"], "does not exist"),
    ("new: catalog_cli_module_raises", ["catalog", "list", "--path", "{d}/catalog/boom.py"], "RuntimeError"),
    # Prompts and few-shot examples
    ("missing_template", ["prompt.generator=[generator/nope.j2]"], "nope.j2"),
    ("missing_prompt_folder", ["prompt.search_path=[{d}/nothere]"], "prompt.search_path"),
    ("template_syntax_error", ["prompt.search_path=[{d}/prompts,builtin:prompts]", "prompt.generator=[generator/broken.j2]"],
     "generator/broken.j2"),
    ("bad_template_variable", ["prompt.search_path=[{d}/prompts,builtin:prompts]", "prompt.generator=[generator/undefined.j2]"],
     "no_such_variable"),
    ("missing_examples_file", ["sampler.examples_file={d}/nothere.jsonl"], "sampler.examples_file"),
    ("bad_example_line", ["sampler.examples_file={d}/bad_line.jsonl"], "bad_line.jsonl:1"),
    ("example_of_unknown_style", ["sampler.examples_file={d}/bad_style.jsonl"], "unknown style 'chatty'"),
    # Run directories
    ("different_config_resume", ["hydra.run.dir={d}/other_config"], "different configuration"),
    ("damaged_manifest", ["hydra.run.dir={d}/damaged_manifest"], "manifest.json is damaged"),
    ("new: manifest_not_an_object", ["hydra.run.dir={d}/list_manifest"], "not a run manifest"),
    ("new: manifest_digests_not_an_object", ["hydra.run.dir={d}/digests_list_manifest"], "not a run manifest"),
    ("new: manifest_is_a_folder", ["hydra.run.dir={d}/manifest_dir"], "manifest.json is damaged"),
    ("new: damaged_stage_file", ["hydra.run.dir={d}/damaged_stage"], "candidates.jsonl at byte 0 is damaged"),
    ("new: run_dir_is_a_file", ["hydra.run.dir={d}/a_file"], "hydra.run.dir: cannot write"),
    ("new: run_dir_under_a_file", ["hydra.run.dir={d}/a_file/run"], "hydra.run.dir: cannot write"),
    ("new: sweep_dir_under_a_file", ["-m", "seed=1,2", "hydra.sweep.dir={d}/a_file/sweep"], "hydra.sweep.dir: cannot write"),
]


def _command_line(args: list[str], folder: Path, api_base: str, case_id: str) -> list[str]:
    """The case's arguments after the fake-LLM settings it does not set itself, and a run folder
    of its own unless it names one."""
    args = [a.format(d=folder, data=TEST_DATA) for a in args]
    if args[0] == "catalog":
        return args
    keys = {a.split("=", 1)[0].lstrip("+") for a in args}
    base = [o for o in fake_llm_overrides(api_base) if o.split("=", 1)[0] not in keys]
    if not any(a.startswith(("hydra.run.dir=", "hydra.sweep.dir=")) for a in args):
        base.append(f"hydra.run.dir={folder}/runs/{case_id.replace(': ', '_')}")
    flags = [a for a in args if a.startswith("-")]
    return flags + base + [a for a in args if not a.startswith("-")]


PLAIN_CASE = "new: catalog_raises_at_import"  # also run as `python -m apigen`, to compare


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, tuple[int, str]]:
    """Run every case once; case id -> (exit code, stderr). PLAIN_CASE is also run by
    ``python -m apigen`` itself, under the key "plain"; "llm_requests" counts what the fake server got."""
    folder = tmp_path_factory.mktemp("bad_input")
    for name, text in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    env = dict(os.environ, HYDRA_FULL_ERROR="0", PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with FakeLLMServer({"generator": ["{}"], "judge": ["{}"]}) as server:
        cases = [{"args": _command_line(args, folder, server.api_base, case_id), "cwd": str(folder),
                  "stdout": str(folder / f"{i}.out"), "stderr": str(folder / f"{i}.err")}
                 for i, (case_id, args, _) in enumerate(CASES)]
        plain_args = next(case["args"] for case, (case_id, _, _) in zip(cases, CASES) if case_id == PLAIN_CASE)
        plain = subprocess.Popen([sys.executable, "-m", "apigen", *plain_args], cwd=str(folder), env=env, text=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        batch = subprocess.run([sys.executable, str(Path(__file__).parent / "cli_batch.py")], input=json.dumps(cases),
                               capture_output=True, text=True, timeout=300, env=env, cwd=str(folder))
        plain_stderr = plain.communicate(timeout=120)[1]
        llm_requests = len(server.requests)
    assert batch.returncode == 0, batch.stderr[-3000:]
    codes = json.loads(batch.stdout)
    found = {case_id: (code, Path(case["stderr"]).read_text()) for (case_id, _, _), code, case in zip(CASES, codes, cases)}
    return {**found, "plain": (plain.returncode, plain_stderr), "llm_requests": llm_requests}


def test_the_table_holds_the_33_known_cases_and_the_new_ones():
    assert len({case_id for case_id, _, _ in CASES}) == len(CASES)
    assert sum(not case_id.startswith("new: ") for case_id, _, _ in CASES) >= 33


@pytest.mark.parametrize("case_id,needle", [(case_id, needle) for case_id, _, needle in CASES])
def test_bad_input_gives_a_short_error_naming_the_problem(results, case_id: str, needle: str):
    code, stderr = results[case_id]
    assert code != 0, stderr
    assert needle in stderr, stderr
    assert "Traceback" not in stderr, stderr
    assert len(stderr.splitlines()) <= 25, stderr  # Hydra lists the options of a group


def test_no_case_gets_as_far_as_an_llm_call(results):
    assert results["llm_requests"] == 0


def test_the_batch_runner_gives_what_python_minus_m_apigen_gives(results):
    """The forked batch runner stands for the plain command line: same exit code, same stderr."""
    assert results["plain"] == results[PLAIN_CASE]
