"""Optional metadata for catalog functions. Plain typed, documented functions work without it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def api(
    *,
    name: str | None = None,
    category: str | None = None,
    examples: Iterable[dict[str, Any]] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach catalog metadata to a function.

    ``examples`` holds ``{"arguments": {...}, "result": ...}`` pairs: calls that must succeed
    and return ``result``; the catalog check runs them in the sandbox.
    """

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__apigen__ = {"name": name, "category": category, "examples": list(examples)}  # type: ignore[attr-defined]
        return fn

    return mark
