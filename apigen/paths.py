"""Where APIGen's built-in data is, and how paths in configs are resolved.

The built-in data (``conf/``, ``prompts/``, ``api_catalog/``) is found through
``importlib.resources``, never through the working directory:

* installed from a wheel, it lies inside the package (``site-packages/apigen/conf``, ...);
* in a source checkout or an editable install, it lies next to the package, at the repository
  root (``<repo>/conf``, with the package at ``<repo>/apigen``).

Config paths name built-in data explicitly with the ``builtin:`` prefix (``builtin:api_catalog``,
``builtin:prompts/fewshot/seed.jsonl``); any other relative path is relative to the working
directory, with no fallback. The package must be a real directory (not zipped).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

BUILTIN_PREFIX = "builtin:"
_MARKER = "conf"  # a folder every layout ships; it tells which layout this is


def package_dir() -> Path:
    """The directory of the importable ``apigen`` package."""
    return Path(str(files("apigen"))).resolve()


def package_parent() -> Path:
    """The directory that contains the ``apigen`` package: put it on a subprocess's PYTHONPATH
    so that the subprocess imports this same apigen (site-packages, or the repository root)."""
    return package_dir().parent


def data_root() -> Path:
    """The folder that holds conf/, prompts/ and api_catalog/: the package itself when installed
    from a wheel, the package's parent (the repository root) in a checkout or editable install."""
    package = package_dir()
    for root in (package, package.parent):
        if (root / _MARKER).is_dir():
            return root
    raise FileNotFoundError(f"APIGen's built-in data (conf/, prompts/, api_catalog/) is neither in {package} "
                            f"nor in {package.parent}: the installation is incomplete")


def builtin_path(relative: str = "") -> Path:
    """A built-in file or folder, e.g. ``builtin_path("prompts/fewshot/seed.jsonl")``."""
    return data_root() / relative.strip("/") if relative.strip("/") else data_root()


def config_dir() -> Path:
    """The built-in Hydra config directory (``conf/``)."""
    return builtin_path("conf")


def prompts_dir() -> Path:
    """The built-in Jinja templates and few-shot seed file (``prompts/``)."""
    return builtin_path("prompts")


def catalog_dir() -> Path:
    """The built-in API catalog (``api_catalog/``)."""
    return builtin_path("api_catalog")


def resolve_path(path: str | os.PathLike) -> Path:
    """Resolve a config path: ``builtin:REL`` is REL inside the built-in data; ``~`` is expanded;
    an absolute path is kept; any other relative path is relative to the working directory.
    Existence is not checked here: the caller fails naming its config key and this path."""
    text = str(path)
    if text.startswith(BUILTIN_PREFIX):
        return builtin_path(text[len(BUILTIN_PREFIX):])
    candidate = Path(os.path.expanduser(text))
    if candidate.is_absolute():
        return candidate
    return (Path.cwd() / candidate).resolve()


def missing_hint(path: str | os.PathLike) -> str:
    """For a relative path that does not exist in the working directory but names built-in data
    (an old config's ``api_catalog``), a hint to append to the error: use ``builtin:``."""
    text = str(path)
    if not text or text.startswith(BUILTIN_PREFIX) or Path(os.path.expanduser(text)).is_absolute():
        return ""
    if not builtin_path(text).exists():
        return ""
    return f" (relative paths are relative to the working directory; the built-in one is '{BUILTIN_PREFIX}{text}')"


def user_cache_dir() -> Path:
    """APIGen's per-user cache: ``$APIGEN_CACHE``, default ``~/.cache/apigen`` (the embedded
    models' weights under ``models/``, the LLM response cache under ``llm/``)."""
    return Path(os.environ.get("APIGEN_CACHE", Path.home() / ".cache" / "apigen"))
