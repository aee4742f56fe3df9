"""Shared helpers: real Hydra composition of the project's conf/, and the fake LLM server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from apigen.config import Config, register_schemas  # noqa: E402

ADVERSARIAL = ROOT / "tests" / "data" / "adversarial_catalog.py"


def compose_config(overrides: list[str]) -> Config:
    """The typed Config that ``python -m apigen <overrides>`` would run with."""
    register_schemas()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        dcfg = compose(config_name="config", overrides=overrides)
    return OmegaConf.to_object(dcfg)  # type: ignore[return-value]


def pairs_reply(pairs: list[tuple[str, list[tuple[str, dict]]]]) -> str:
    """A generator reply in the shape parse_completion reads."""
    return json.dumps({"pairs": [{"query": q, "answers": [{"name": n, "arguments": a} for n, a in calls]}
                                 for q, calls in pairs]})


def judge_reply(passed: bool, thought: str = "looks right") -> str:
    return json.dumps({"thought": thought, "passed": passed})


@pytest.fixture
def fake_llm_overrides():
    """Overrides that point the generator (and so the judge) at a fake server."""

    def make(api_base: str) -> list[str]:
        return ["llm=openai_compatible", f"llm.api_base={api_base}", "llm.model=openai/fake",
                "llm.max_retries=0", "llm.retry_backoff_s=0.01", "output.progress=false"]

    return make
