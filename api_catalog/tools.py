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


@api(examples=[{"arguments": {"value": "1994"}, "result": "MCMXCIV"}, {"arguments": {"value": "MMXXIV"}, "result": "2024"}])
def roman_numeral_convert(value: str) -> str:
    """Convert an integer (1-3999) to Roman numerals, or Roman numerals back to an integer.

    Args:
        value: An integer such as '1994', or a Roman numeral such as 'MCMXCIV'.
    """
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    value = value.strip().upper()
    if value.isdigit():
        n, out = int(value), ""
        if not 1 <= n <= 3999:
            raise ValueError("integers must be between 1 and 3999")
        for amount, symbol in table:
            count, n = divmod(n, amount)
            out += symbol * count
        return out
    total, rest = 0, value
    for amount, symbol in table:
        while rest.startswith(symbol):
            total, rest = total + amount, rest[len(symbol):]
    if rest or not total or roman_numeral_convert(str(total)) != value:
        raise ValueError(f"'{value}' is not a valid Roman numeral")
    return str(total)


@api(examples=[{"arguments": {"a": "kitten", "b": "sitting"}, "result": 3}])
def levenshtein_distance(a: str, b: str) -> int:
    """Count the minimum single-character insertions, deletions and substitutions turning one string into another.

    Args:
        a: First string.
        b: Second string.
    """
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@api(examples=[{"arguments": {"a": "apple pie", "b": "apple tie"}, "result": 0.8889}])
def text_similarity(a: str, b: str) -> float:
    """Score how similar two texts are from 0 to 1 (difflib's sequence-matching ratio, four decimals).

    Args:
        a: First text.
        b: Second text.
    """
    import difflib

    return round(difflib.SequenceMatcher(None, a, b).ratio(), 4)


@api(examples=[{"arguments": {"pattern": "\\d{3}-\\d{4}", "text": "Call 555-1234 or 555-9876."}, "result": ["555-1234", "555-9876"]}])
def regex_find_all(pattern: str, text: str, ignore_case: bool = False) -> list[str]:
    """Find every non-overlapping match of a regular expression in a text.

    Args:
        pattern: A Python regular expression.
        text: The text to search.
        ignore_case: Match letters case-insensitively.
    """
    compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    return [m.group(0) for m in compiled.finditer(text)]


@api(examples=[{"arguments": {"json_text": "{\"b\": 1, \"a\": [1, 2]}", "style": "minify", "sort_keys": True}, "result": "{\"a\":[1,2],\"b\":1}"}])
def format_json(json_text: str, style: Literal["pretty", "minify"] = "pretty", sort_keys: bool = False) -> str:
    """Validate a JSON document and re-format it pretty-printed (two-space indent) or minified.

    Args:
        json_text: The JSON document.
        style: 'pretty' or 'minify'.
        sort_keys: Sort object keys alphabetically.
    """
    import json

    data = json.loads(json_text)
    if style == "minify":
        return json.dumps(data, separators=(",", ":"), sort_keys=sort_keys, ensure_ascii=False)
    return json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=False)


@api(examples=[{"arguments": {"text": "user account ID", "case": "camel"}, "result": "userAccountId"},
               {"arguments": {"text": "parseHTTPResponse", "case": "snake"}, "result": "parse_http_response"}])
def convert_case(text: str, case: Literal["snake", "camel", "pascal", "kebab", "constant", "title"]) -> str:
    """Convert identifiers or phrases between naming conventions (snake_case, camelCase, PascalCase, kebab-case, ...).

    Args:
        text: The text, in any convention or as plain words.
        case: Target convention: snake, camel, pascal, kebab, constant (UPPER_SNAKE) or title.
    """
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\b|[^A-Za-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", text)
    words = [w.lower() for w in words]
    if not words:
        raise ValueError("no words in text")
    if case == "snake":
        return "_".join(words)
    if case == "kebab":
        return "-".join(words)
    if case == "constant":
        return "_".join(words).upper()
    if case == "title":
        return " ".join(w.capitalize() for w in words)
    pascal = "".join(w.capitalize() for w in words)
    return pascal if case == "pascal" else pascal[0].lower() + pascal[1:]


@api(examples=[{"arguments": {"text": "a b&c=d/é", "direction": "encode"}, "result": "a%20b%26c%3Dd%2F%C3%A9"}])
def url_encode(text: str, direction: Literal["encode", "decode"] = "encode") -> str:
    """Percent-encode text for use in a URL component (UTF-8), or decode a percent-encoded string.

    Args:
        text: The text to encode or decode.
        direction: 'encode' or 'decode'.
    """
    from urllib.parse import quote, unquote

    return quote(text, safe="") if direction == "encode" else unquote(text)
