"""Start-up check that a Python executor's target file defines its function, without running it.

A JSON spec names a file and a function that only the sandbox imports; a wrong name would
otherwise surface as a ``runtime_error`` on every call. The file is parsed, not imported (its
code runs in the sandbox only), so the check is static: a name bound at module level (def, class,
assignment, import, ``global`` in a function) counts as defined, and a module that can bind names
in ways only running it shows (``from x import *``, a module ``__getattr__``, ``globals()``,
``setattr``, ``exec``) is given the benefit of the doubt.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

_DYNAMIC_CALLS = {"globals", "setattr", "exec", "vars"}


def target_problem(target: Path, function: str) -> tuple[str, str] | None:
    """(field, message) saying why ``function`` cannot be called from ``target``; None when it can
    (or might)."""
    if not target.is_file():
        return "executor.target", f"'{target}' does not exist" if not target.exists() else f"'{target}' is not a file"
    stat = target.stat()
    error, names = _scan(target, stat.st_mtime_ns, stat.st_size)
    if error:
        return "executor.target", f"'{target}' is not valid Python ({error})"
    if names is None or function in names:
        return None
    return "executor.function", f"'{target}' defines no '{function}'"


@functools.lru_cache(maxsize=256)  # a JSON catalog names one file for many functions
def _scan(target: Path, mtime_ns: int, size: int) -> tuple[str | None, frozenset[str] | None]:
    """(parse error, names bound at module level); names is None when the module may bind more."""
    try:
        tree = ast.parse(target.read_bytes(), filename=str(target))
    except (SyntaxError, ValueError) as exc:
        return str(exc), None
    names = _bound_names(tree)
    if "__getattr__" in names or _binds_dynamically(tree):
        return None, None
    return None, frozenset(names)


def _module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """Every node that runs at import time: function and class bodies are not entered."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _bound_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in _module_level(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    for node in ast.walk(tree):  # `global f` in a function binds f at module level when it runs
        if isinstance(node, ast.Global):
            names.update(node.names)
    return names


def _binds_dynamically(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _DYNAMIC_CALLS:
            return True
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return True
    return False
