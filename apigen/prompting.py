"""One strict Jinja environment that turns templates into chat messages.

A template's output is split into messages at lines that read exactly ``=== system ===``,
``=== user ===`` or ``=== assistant ===``. Only the template's own text can start a message: a
role line inside a variable's value (a generated query, a model's reply, a catalog description)
is masked while the output is split and restored inside its message afterwards, so untrusted text
cannot add or change messages. StrictUndefined makes a missing variable an error instead of an
empty string in a prompt.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

import jinja2
from jinja2 import meta

from apigen.paths import missing_hint, resolve_path
from apigen.records import stable_hash

_ROLE_LINE = re.compile(r"^=== (system|user|assistant) ===$", re.MULTILINE)
# Stands in for a role line inside a variable's value; the nonce makes it unguessable.
_MASK = f"\x00role-{secrets.token_hex(8)}:"
_MASKED = re.compile(re.escape(_MASK) + r"(system|user|assistant)\x00")


def _mask_role_lines(value: Any) -> str:
    """Jinja's finalize hook: every ``{{ expression }}`` output passes here, template text does not."""
    text = value if isinstance(value, str) else str(value)
    return _ROLE_LINE.sub(lambda m: f"{_MASK}{m.group(1)}\x00", text)


def _unmask(text: str) -> str:
    return _MASKED.sub(lambda m: f"=== {m.group(1)} ===", text)


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
            finalize=_mask_role_lines,
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
        return _unmask(self._render(template, variables))

    def _render(self, template: str, variables: dict[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(**variables)
        except jinja2.UndefinedError as exc:
            raise PromptError(f"template '{template}': {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise PromptError(f"template '{template}' (or one it includes) not found: {exc}") from None

    def render_messages(self, template: str, **variables: Any) -> tuple[dict[str, str], ...]:
        messages = split_messages(self._render(template, variables), template)
        return tuple({"role": m["role"], "content": _unmask(m["content"])} for m in messages)


def split_messages(text: str, template: str = "<text>") -> tuple[dict[str, str], ...]:
    parts = _ROLE_LINE.split(text)
    if parts[0].strip():
        raise PromptError(f"template '{template}': text before the first '=== role ===' line")
    messages = []
    for role, content in zip(parts[1::2], parts[2::2]):
        messages.append({"role": role, "content": content.strip()})
    if not messages or messages[-1]["role"] != "user":
        raise PromptError(f"template '{template}': must end with a '=== user ===' message")
    return tuple(messages)
