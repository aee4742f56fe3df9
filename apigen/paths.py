"""Where the project's own folders are, and how relative paths in configs are resolved."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def resolve_path(path: str | os.PathLike) -> Path:
    """Resolve a config path: absolute as is; relative against the working directory if it exists
    there, else against the project root (so built-in folders work from any directory)."""
    candidate = Path(os.path.expanduser(str(path)))
    if candidate.is_absolute():
        return candidate
    here = Path.cwd() / candidate
    if here.exists():
        return here.resolve()
    return (PROJECT_ROOT / candidate).resolve()
