"""Secrets never reach the files a run writes.

A key is secret when its last part ends in ``api_key`` (or ``api-key``, ``apikey``), ``token``,
``secret``, ``password`` or ``authorization`` (any case): ``llm.api_key``, ``judge.api_key``,
``verifier.roundtrip.solver.api_key``, a committee member's ``api_key``, an ``X-Api-Key`` or
``Authorization`` header in ``llm.extra.extra_headers``.
Its value is replaced by ``<redacted>``:

- in ``manifest.json`` ``overrides`` (apigen.runner writes them redacted);
- in the ``.hydra/`` files Hydra writes before the run starts (``config.yaml``, ``hydra.yaml``,
  ``overrides.yaml``) and in a multirun's ``multirun.yaml``: ``redact_hydra_files`` rewrites them
  first thing in the run, so a key sits there unredacted for the moment between Hydra writing them
  and the run starting.

Values are matched by key, in YAML mappings, in ``key=value`` overrides and in Hydra's
``override_dirname`` (``key=value`` items joined by commas).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REDACTED = "<redacted>"
_SECRET_NAME = r"[\w\-]*(?:api[_\-]?key|token|secret|password|authorization)"
_SECRET_KEY = re.compile(rf"{_SECRET_NAME}$", re.IGNORECASE)
# key=value inside a longer string (override_dirname: items joined by ','); the key may be dotted.
_ASSIGNMENT = re.compile(rf"((?<![\w.])[+~]*(?:[\w\-\[\]]+\.)*{_SECRET_NAME}=)[^,\s]*", re.IGNORECASE)
# key: value inside a dict-valued override (llm={model: m, api_key: k}).
_MAPPING_ITEM = re.compile(rf"((?<![\w.]){_SECRET_NAME}\s*:\s*)[^,}}\]]*", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    last = key.lstrip("+~").rsplit(".", 1)[-1]
    return bool(_SECRET_KEY.search(last))


def redact_override(override: str) -> str:
    """One ``key=value`` override with a secret value replaced."""
    key, sep, value = override.partition("=")
    if not sep:
        return override
    if is_secret_key(key):
        return f"{key}={REDACTED}"
    return f"{key}={_MAPPING_ITEM.sub(lambda m: m.group(1) + REDACTED, value)}"


def redact_overrides(overrides: list[str]) -> list[str]:
    return [redact_override(o) for o in overrides]


def redact_text(text: str) -> str:
    """Secret ``key=value`` items inside a longer string (Hydra's override_dirname)."""
    return _ASSIGNMENT.sub(lambda m: m.group(1) + REDACTED, text)


def redact_tree(node: Any) -> Any:
    """A YAML tree with the values of secret keys replaced, list items read as overrides (Hydra's
    override lists) and other strings as text that may hold ``key=value`` items."""
    if isinstance(node, dict):
        return {k: REDACTED if is_secret_key(str(k)) and v is not None else redact_tree(v) for k, v in node.items()}
    if isinstance(node, list):
        return [redact_override(item) if isinstance(item, str) else redact_tree(item) for item in node]
    if isinstance(node, str):
        return redact_text(node)
    return node


def redact_yaml_file(path: Path) -> None:
    if not path.is_file():
        return
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    redacted = redact_tree(data)
    if redacted != data:
        path.write_text(yaml.safe_dump(redacted, sort_keys=False, allow_unicode=True), encoding="utf-8")


def redact_hydra_files(output_dir: str | Path, subdir: str | None, sweep_dir: str | Path | None = None) -> None:
    """Rewrite the config files Hydra saved for this job (and the sweep's multirun.yaml) with
    secrets redacted."""
    if subdir:
        for name in ("config.yaml", "hydra.yaml", "overrides.yaml"):
            redact_yaml_file(Path(output_dir) / subdir / name)
    if sweep_dir:
        redact_yaml_file(Path(sweep_dir) / "multirun.yaml")
