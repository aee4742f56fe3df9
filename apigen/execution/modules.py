"""Importing a user's Python module from its file: shared by catalog introspection and the
sandbox workers, so both see the module under the same name."""

from __future__ import annotations

import hashlib
import importlib.util
import types
from pathlib import Path


def load_module(path: Path) -> types.ModuleType:
    """Import a module from its file under a name unique to the path (no sys.path changes)."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(f"apigen_user_{path.stem}_{digest}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
