"""The built wheel works on its own: installed into a fresh virtual environment (not the editable
install) and run from a directory that is not the repository, whose stray prompts/, api_catalog/
and conf/ are broken, it composes its config, lists its catalog and makes a small dataset.

Offline: the wheel is built with the hatchling of this environment (the dev extra), installed
with --no-index, and the fresh environment borrows this one's dependencies through a .pth file
(site-packages .pth files are not processed for a path added that way, so the editable install's
hooks stay out)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import apigen
from apigen.catalog import load_catalog

from conftest import ROOT, FakeLLMServer, fake_llm_overrides, judge, make_decoy_folders, pairs


def _run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(HYDRA_FULL_ERROR="0", PYTHONUNBUFFERED="1")
    return subprocess.run([str(c) for c in cmd], cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.fail("hatchling is missing: it is in the dev extra (pip install -e '.[dev]', or scripts/setup.sh)")
    base = tmp_path_factory.mktemp("wheel")
    dist, venv, elsewhere = base / "dist", base / "venv", base / "elsewhere"

    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
              "--no-cache-dir", "-q", "-w", dist, ROOT], cwd=base))
    wheel = next(dist.glob("apigen-*.whl"))
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base))
    python = venv / "bin" / "python"
    site = Path(_ok(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=base)).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_borrowed_dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))
    _ok(_run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel], cwd=base))

    make_decoy_folders(elsewhere)  # look-alike folders that would break a run if they were used
    return {"wheel": wheel, "venv": venv, "python": python, "site": site, "apigen": venv / "bin" / "apigen",
            "elsewhere": elsewhere}


def test_the_wheel_holds_the_package_its_data_and_the_license(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for required in ("apigen/__main__.py", "apigen/conf/config.yaml", "apigen/conf/catalog/builtin.yaml",
                     "apigen/prompts/generator/standard.j2", "apigen/prompts/fewshot/seed.jsonl",
                     "apigen/api_catalog/mathematics.py"):
        assert required in names, required
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.split("/")[0] in ("conf", "prompts", "api_catalog", "tests")]


def test_the_fresh_environment_imports_apigen_from_the_wheel(installed):
    probe = ("import json, importlib.metadata as m, apigen, apigen.paths as p; print(json.dumps({'file': apigen.__file__, "
             "'root': str(p.data_root()), 'version': apigen.__version__, 'dist': m.version('apigen')}))")
    seen = json.loads(_ok(_run([installed["python"], "-c", probe], cwd=installed["elsewhere"])).stdout)
    package = installed["site"] / "apigen"
    assert Path(seen["file"]).resolve() == (package / "__init__.py").resolve()
    assert Path(seen["root"]) == package.resolve()  # the data inside the installed package
    assert seen["version"] == seen["dist"] == apigen.__version__


def test_console_script_composes_the_builtin_config_from_anywhere(installed):
    out = _ok(_run([installed["apigen"], "--cfg", "job"], cwd=installed["elsewhere"])).stdout
    assert "name: default" in out
    assert "- builtin:api_catalog" in out and "examples_file: builtin:prompts/fewshot/seed.jsonl" in out


def test_console_script_catalog_stats_counts_the_builtin_catalog(installed):
    expected = load_catalog(["builtin:api_catalog"])  # the checkout's catalog, in this process
    out = _ok(_run([installed["apigen"], "catalog", "stats"], cwd=installed["elsewhere"])).stdout
    total = next(line for line in out.splitlines() if line.startswith("total"))
    assert total.split()[1] == str(len(expected))
    assert f"({len(expected.by_category())} categories)" in total


def test_a_tiny_run_from_the_wheel_writes_the_dataset_and_manifest(installed):
    generator = [pairs(("Is 7 a prime number?", [("is_prime", {"n": 7})])), pairs(("Is 91 prime?", [("is_prime", {"n": 91})]))]
    run_dir = installed["elsewhere"] / "run"
    with FakeLLMServer({"generator": generator, "judge": lambda _r: judge(True)}) as server:
        _ok(_run([installed["apigen"], *fake_llm_overrides(server), f"hydra.run.dir={run_dir}", "catalog.apis=[is_prime]",
                  "sampler=simple_only", "num_samples=2", "concurrency=1"], cwd=installed["elsewhere"]))
        assert len(server.routed("generator")) == 2 and len(server.routed("judge")) == 2
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["counts"]["kept"] == 2
    rows = json.loads((run_dir / "dataset" / "examples.json").read_text())
    assert sorted(r["query"] for r in rows) == ["Is 7 a prime number?", "Is 91 prime?"]
    assert {json.loads(r["answers"])[0]["name"] for r in rows} == {"is_prime"}


def test_apigen_eval_from_the_wheel_scores_a_run(installed):
    run_dir = installed["elsewhere"] / "run"  # made by the test above
    assert (run_dir / "verdicts.jsonl").exists()
    out = installed["elsewhere"] / "eval"

    def answer(request: dict) -> dict:
        n = int("".join(ch for ch in request["messages"][-1]["content"] if ch.isdigit()))
        return {"content": "", "tool_calls": [{"name": "is_prime", "arguments": {"n": n}}]}

    with FakeLLMServer({"model": answer}, router=lambda _r: "model") as server:
        done = _ok(_run([installed["apigen"], "eval", "eval=run", f"eval.path={run_dir}", "eval.split=all", "progress=false",
                         "llm=openai_compatible", f"llm.api_base={server.api_base}", "llm.model=openai/fake-model",
                         f"hydra.run.dir={out}"], cwd=installed["elsewhere"]))
    assert "| simple | 2 | 100.0% | 100.0% | 100.0% (2) |" in done.stdout
    assert json.loads((out / "manifest.json").read_text())["status"] == "completed"
