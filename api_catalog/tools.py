"""Tools: text, encoding and date utilities."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Literal

from apigen.catalog import api

CATEGORY = "Tools"


@api(examples=[{"arguments": {"text": "hello", "algorithm": "sha256"}, "result": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}])
def hash_text(text: str, algorithm: Literal["md5", "sha1", "sha256", "sha512"] = "sha256") -> str:
    """Compute the hexadecimal hash digest of a UTF-8 text.

    Args:
        text: The text to hash.
        algorithm: Hash algorithm.
    """
    return hashlib.new(algorithm, text.encode("utf-8")).hexdigest()


@api(examples=[{"arguments": {"text": "APIGen", "direction": "encode"}, "result": "QVBJR2Vu"}])
def base64_convert(text: str, direction: Literal["encode", "decode"]) -> str:
    """Encode UTF-8 text to Base64, or decode Base64 back to text.

    Args:
        text: The text to encode, or the Base64 string to decode.
        direction: 'encode' or 'decode'.
    """
    if direction == "encode":
        return base64.b64encode(text.encode("utf-8")).decode("ascii")
    return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")


@api(examples=[{"arguments": {"text": "The quick brown fox. It jumps!"}, "result": {"characters": 30, "words": 6, "sentences": 2}}])
def text_statistics(text: str) -> dict:
    """Count the characters, words and sentences of a text.

    Args:
        text: The text to analyse.
    """
    sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
    return {"characters": len(text), "words": len(text.split()), "sentences": len(sentences)}


@api(examples=[{"arguments": {"start_date": "2024-01-01", "end_date": "2024-03-01"}, "result": 60}])
def days_between(start_date: str, end_date: str) -> int:
    """Count the days from one calendar date to another (negative if the end is earlier).

    Args:
        start_date: Start date in ISO format YYYY-MM-DD.
        end_date: End date in ISO format YYYY-MM-DD.
    """
    return (dt.date.fromisoformat(end_date) - dt.date.fromisoformat(start_date)).days


@api(examples=[{"arguments": {"text": "Hello, World! Ünïcode?"}, "result": "hello-world-unicode"}])
def slugify(text: str, separator: str = "-") -> str:
    """Turn a title into a URL slug: lowercase ASCII words joined by a separator.

    Args:
        text: The title or phrase.
        separator: Character placed between words.
    """
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return separator.join(words)
