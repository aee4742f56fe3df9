"""Config paths: built-in data is named with ``builtin:`` and found through importlib.resources;
any other relative path is relative to the working directory, with no fallback either way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import apigen
from apigen.build import build
from apigen.catalog import CatalogError, load_catalog
from apigen.paths import builtin_path, catalog_dir, config_dir, data_root, package_parent, prompts_dir, resolve_path
from apigen.prompting import PromptError, PromptRenderer
from apigen.sampling import SamplerError, load_examples

from conftest import compose_config, make_decoy_folders


@pytest.fixture
def decoy_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory whose prompts/, api_catalog/ and conf/ would break a run if used."""
    make_decoy_folders(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_builtin_data_is_found_next_to_the_package_in_a_checkout():
    # Source checkout / editable install: the data sits at the package's parent (a wheel puts it
    # inside the package; tests/test_wheel_install.py covers that layout).
    assert data_root() == Path(apigen.__file__).resolve().parent.parent == package_parent()
    assert (config_dir() / "config.yaml").is_file()
    assert (prompts_dir() / "generator" / "standard.j2").is_file()
    assert (catalog_dir() / "mathematics.py").is_file()
    assert resolve_path("builtin:prompts/fewshot/seed.jsonl") == builtin_path("prompts/fewshot/seed.jsonl")
    assert resolve_path("builtin:") == data_root()


def test_stray_folders_in_the_working_directory_do_not_shadow_the_builtin_ones(decoy_cwd):
    assert resolve_path("builtin:prompts") == prompts_dir() != decoy_cwd / "prompts"
    assert len(load_catalog(["builtin:api_catalog"])) >= 250
    PromptRenderer(["builtin:prompts"]).check("generator/standard.j2")
    assert load_examples("builtin:prompts/fewshot/seed.jsonl")
    # The whole default configuration builds from the decoy directory.
    components = build(compose_config(["llm=openai_compatible", "catalog.apis=[is_prime]"]))
    assert components.catalog.names == ["is_prime"]
    assert all(f == prompts_dir() for f in components.generator.renderer.folders)


def test_relative_user_paths_resolve_against_the_working_directory(decoy_cwd):
    assert resolve_path("prompts") == decoy_cwd / "prompts"
    assert resolve_path("a/b.jsonl") == decoy_cwd / "a" / "b.jsonl"
    (decoy_cwd / "mine").mkdir()
    (decoy_cwd / "mine" / "hello.j2").write_text("=== user ===\nhello {{ name }}")
    assert PromptRenderer(["mine"]).render_text("hello.j2", name="you").endswith("hello you")
    # The user's own (broken) folder is what a plain relative path names.
    with pytest.raises(CatalogError, match="broken.py"):
        load_catalog(["api_catalog"])
    with pytest.raises(PromptError, match="line 1"):
        PromptRenderer(["prompts"]).check("generator/standard.j2")


def test_missing_user_paths_fail_naming_the_key_and_the_resolved_path(decoy_cwd):
    with pytest.raises(CatalogError, match=rf"catalog\.paths: '{re.escape(str(decoy_cwd / 'nowhere'))}' does not exist"):
        load_catalog(["nowhere"])
    with pytest.raises(SamplerError, match=rf"sampler\.examples_file: '{re.escape(str(decoy_cwd / 'seed.jsonl'))}' not found"):
        load_examples("seed.jsonl")
    with pytest.raises(PromptError, match=rf"prompt\.search_path: .*{re.escape(str(decoy_cwd / 'templates'))}"):
        PromptRenderer(["templates"])


def test_a_relative_path_that_names_builtin_data_does_not_fall_back_but_hints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CatalogError, match=r"catalog\.paths: .* does not exist .*'builtin:api_catalog'"):
        load_catalog(["api_catalog"])
    with pytest.raises(SamplerError, match=r"not found .*'builtin:prompts/fewshot/seed.jsonl'"):
        load_examples("prompts/fewshot/seed.jsonl")
    with pytest.raises(PromptError, match=r"'builtin:prompts'"):
        PromptRenderer(["prompts"])
