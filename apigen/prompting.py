"""One strict Jinja environment that turns templates into chat messages.

A template's output is split into messages at lines that read exactly ``=== system ===``,
``=== user ===`` or ``=== assistant ===``. StrictUndefined makes a missing variable an error
instead of an empty string in a prompt.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Iterable

import jinja2

from apigen.paths import missing_hint, resolve_path

_ROLE_LINE = re.compile(r"^=== (system|user|assistant) ===$", re.MULTILINE)


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

    def source_path(self, template: str) -> Path:
        for folder in self.folders:
            if (folder / template).is_file():
                return folder / template
        raise PromptError(f"template '{template}' not found")

    def digest(self, templates: Iterable[str]) -> str:
        """Hash of every template file the prompt search path holds that the given ones may use."""
        sha = hashlib.sha256()
        for folder in self.folders:
            for path in sorted(folder.rglob("*.j2")):
                sha.update(str(path.relative_to(folder)).encode())
                sha.update(path.read_bytes())
        for name in sorted(templates):
            sha.update(name.encode())
        return sha.hexdigest()[:16]

    def render_text(self, template: str, **variables: Any) -> str:
        try:
            return self.env.get_template(template).render(**variables)
        except jinja2.UndefinedError as exc:
            raise PromptError(f"template '{template}': {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise PromptError(f"template '{template}' (or one it includes) not found: {exc}") from None

    def render_messages(self, template: str, **variables: Any) -> tuple[dict[str, str], ...]:
        return split_messages(self.render_text(template, **variables), template)


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
