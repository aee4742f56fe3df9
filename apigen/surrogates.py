"""Lone UTF-16 surrogates in model text: valid in a Python str, refused by strict UTF-8.

Model text is data and may hold them; these two functions are the one place that decides how
such text is written: escaped where a reader must get the same string back (JSON), replaced
where the text must be valid Unicode (prompts, messages, exported datasets).
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """Lone surrogates as ``\\uXXXX`` escapes: JSON text (json.dumps with ensure_ascii=False)
    becomes encodable as UTF-8 and still means the same string to any JSON reader; other text
    becomes printable."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def replace_surrogates(text: str) -> str:
    """Lone surrogates replaced by U+FFFD, for text that must be valid Unicode."""
    return _SURROGATE.sub("\ufffd", text)
