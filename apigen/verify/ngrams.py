"""Words and word n-grams of a text, for the similarity stages (near_dup, decontaminate).

Text is NFKC-normalised and case-folded; a word is a run of letters and digits, except that each
CJK character is a word of its own (those scripts do not put spaces between words); a word of
digits reads as ``#``, so "Convert 250 dollars" and "convert 100 Dollars" have the same words. A
feature is a stable 63-bit hash (blake2b) of an n-gram, the same in every process.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")
NUMBER = "#"
_MASK = (1 << 63) - 1


def words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [NUMBER if w.isdigit() else w for w in _WORD.findall(folded)]


def ngrams(tokens: Sequence[str], n: int) -> list[str]:
    """The word n-grams of ``tokens``; a text shorter than n is one n-gram of all its words."""
    if len(tokens) <= n:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def feature(text: str) -> int:
    # surrogatepass: model text may hold a lone surrogate, which strict UTF-8 refuses.
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") & _MASK


def features(items: Iterable[str]) -> set[int]:
    return {feature(item) for item in items}
