"""One strict Jinja environment that turns templates into chat messages.

A template is split into messages at its own lines that read exactly ``=== system ===``,
``=== user ===`` or ``=== assistant ===``. The split is structural: before a template is
compiled, each of its role lines becomes a marker holding a random per-process nonce, and the
rendered output is split at those markers only. Text that comes in through variables (generated
queries, arguments, execution results, model replies, catalog descriptions, few-shot examples)
is never parsed for role lines: whatever it holds, including ``=== assistant ===`` lines, stays
inside the message the template put it in, unchanged. A role line must be literal template text
(one produced by an expression is just text). StrictUndefined makes a missing variable an error
instead of an empty string in a prompt.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.ext import Extension

from apigen.paths import missing_hint, resolve_path
from apigen.records import stable_hash

_ROLE_LINE = re.compile(r"^=== (system|user|assistant) ===$", re.MULTILINE)
# What a template's own role line becomes before compiling; the nonce makes it unguessable, so no
# value rendered into the template can contain one.
_MARKER = f"\x00message-{secrets.token_hex(16)}:"
_MARKERS = re.compile(re.escape(_MARKER) + r"(system|user|assistant)\x00")


class _RoleLines(Extension):
    """Turns the role lines of a template's source (never of its variables) into markers."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _ROLE_LINE.sub(lambda m: f"{_MARKER}{m.group(1)}\x00", source)


def _as_role_lines(text: str) -> str:
    return _MARKERS.sub(lambda m: f"=== {m.group(1)} ===", text)


class PromptError(ValueError):
    """A template is missing, broken, or needs a variable it was not given."""


def _to_json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=False)


class PromptRenderer:
    def __init__(self, search_path: Iterable[str]):
        search_path = list(search_path)
        self.folders = [resolve_path(p) for p in search_path]
        missing = [f"{f}{missing_hint(p)}" for p, f in zip(search_path, self.folders) if not f.is_dir()]
        if missing:
            raise PromptError(f"prompt.search_path: folder(s) not found: {missing}")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            extensions=[_RoleLines],
        )
        self.env.filters["to_json"] = _to_json

    def check(self, template: str) -> None:
        """Fail early (at build time) when a template is missing or does not compile."""
        try:
            self.env.get_template(template)
        except jinja2.TemplateNotFound as exc:
            raise PromptError(f"template '{template}' not found in {[str(f) for f in self.folders]} ({exc})") from None
        except jinja2.TemplateSyntaxError as exc:
            raise PromptError(f"template '{template}' line {exc.lineno}: {exc.message}") from None

    def digest(self, templates: Iterable[str]) -> str:
        """Hash of the given templates and of every template they include by name, as found on
        the search path (first match wins). Includes whose name is computed at render time (the
        style blocks) are not followed: name them in ``templates``."""
        seen: dict[str, str] = {}
        pending = list(templates)
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            try:
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                raise PromptError(f"template '{name}' not found in {[str(f) for f in self.folders]}") from None
            seen[name] = source
            pending += [n for n in meta.find_referenced_templates(self.env.parse(source)) if n]
        return stable_hash(sorted(seen.items()))

    def render_text(self, template: str, **variables: Any) -> str:
        """The rendered template as text, its messages introduced by ``=== role ===`` lines."""
        return _as_role_lines(self._render(template, variables))

    def _render(self, template: str, variables: dict[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(**variables)
        except jinja2.UndefinedError as exc:
            raise PromptError(f"template '{template}': {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise PromptError(f"template '{template}' (or one it includes) not found: {exc}") from None

    def render_messages(self, template: str, **variables: Any) -> tuple[dict[str, str], ...]:
        """The chat messages of a template: split at its own role lines, never at a variable's."""
        return _split(_MARKERS, self._render(template, variables), template)


def split_messages(text: str, template: str = "<text>") -> tuple[dict[str, str], ...]:
    """Messages of trusted text whose ``=== role ===`` lines start them (render_messages never
    splits rendered text this way)."""
    return _split(_ROLE_LINE, text, template)


def _split(boundary: re.Pattern[str], text: str, template: str) -> tuple[dict[str, str], ...]:
    parts = boundary.split(text)
    if parts[0].strip():
        raise PromptError(f"template '{template}': text before the first '=== role ===' line")
    messages = []
    for role, content in zip(parts[1::2], parts[2::2]):
        messages.append({"role": role, "content": content.strip()})
    if not messages or messages[-1]["role"] != "user":
        raise PromptError(f"template '{template}': must end with a '=== user ===' message")
    return tuple(messages)
