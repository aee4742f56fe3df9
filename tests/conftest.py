"""Shared test helpers: real Hydra composition of conf/, and the fake OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

import apigen  # noqa: F401  (sets the offline environment before litellm is imported)
from apigen.config import Config, register_schemas
from apigen.paths import config_dir

ROOT = Path(__file__).resolve().parent.parent
CONF = config_dir()  # the same conf/ that `python -m apigen` composes
TEST_DATA = Path(__file__).resolve().parent / "data"
ADVERSARIAL = TEST_DATA / "adversarial_catalog.py"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_llm_server import FakeLLMServer  # noqa: E402

register_schemas()


def compose_config(overrides: list[str] | None = None) -> Config:
    """Compose conf/ exactly as `python -m apigen` does, and return the typed Config."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3", job_name="apigen"):
        dcfg = compose(config_name="config", overrides=list(overrides or []))
    return OmegaConf.to_object(dcfg)  # type: ignore[return-value]


def fake_llm_overrides(server: FakeLLMServer | str) -> list[str]:
    """Overrides that point the generator (and so the solver and the judge) at a fake server or an
    api_base. The chain is the default one plus the judge (verifier=with_judge), so these tests
    check the judge's part too; the fake solver agrees with the generator unless scripted. It
    leaves out near_dup (NEAR_DUP_OFF): these tests' generators repeat one query with other numbers
    ("Is 17 a prime number?"), which near_dup rightly rejects; tests/test_near_dup.py runs it."""
    api_base = server if isinstance(server, str) else server.api_base
    return ["llm=openai_compatible", f"llm.api_base={api_base}", "llm.model=openai/fake-model", "verifier=with_judge",
            NEAR_DUP_OFF, "llm.max_retries=1", "llm.retry_backoff_s=0.01", "output.progress=false"]


# verifier=with_judge without near_dup; a test's own verifier.stages=... given later replaces it.
NEAR_DUP_OFF = "verifier.stages=[format,dedup,decontaminate,execution,grounding,roundtrip,semantic]"


def run_cli(args: list[str], cwd: Path | None = None, timeout: float = 180,
            env_changes: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """``python -m apigen ARGS``; ``env_changes`` sets variables, or removes those set to None."""
    env = dict(os.environ, HYDRA_FULL_ERROR="0", PYTHONUNBUFFERED="1")
    for name, value in (env_changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-m", "apigen", *args], cwd=str(cwd or ROOT), capture_output=True,
                          text=True, timeout=timeout, env=env)


def make_decoy_folders(directory: Path) -> Path:
    """prompts/, api_catalog/ and conf/ look-alikes in ``directory`` that would break a run if used."""
    for template in ("generator/standard.j2", "judge/semantic.j2", "styles/simple.j2"):
        (directory / "prompts" / template).parent.mkdir(parents=True, exist_ok=True)
        (directory / "prompts" / template).write_text("{% broken")
    (directory / "prompts" / "fewshot").mkdir()
    (directory / "prompts" / "fewshot" / "seed.jsonl").write_text("not json\n")
    (directory / "api_catalog").mkdir()
    (directory / "api_catalog" / "broken.py").write_text("def (:\n")
    (directory / "conf").mkdir()
    (directory / "conf" / "config.yaml").write_text("defaults: [nope]\n")
    return directory


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def pairs(*items: tuple[str, list[tuple[str, dict]]]) -> str:
    """A generator reply: pairs(("query", [("fn", {args})]), ...)."""
    return json.dumps({"pairs": [{"query": q, "answers": [{"name": n, "arguments": a} for n, a in calls]} for q, calls in items]})


def judge(passed: bool, thought: str = "checked") -> str:
    return json.dumps({"thought": thought, "passed": passed})


@pytest.fixture
def tmp_run(tmp_path: Path) -> Path:
    return tmp_path / "run"
