"""Queries that echo a few-shot example. Small models copy the examples' queries (seen: "What's
the air quality in Delhi, and how many calories are in 200 grams of cooked rice?" answered with
sports functions); such a pair teaches nothing the seed file does not already hold."""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(["the", "and", "for", "with", "from", "what", "how", "are", "was", "were", "this", "that", "you", "your", "can", "please", "into", "about"])


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP}


class ExampleEcho:
    """Finds the example query whose content words a query mostly repeats."""

    def __init__(self, example_queries: Iterable[str], threshold: float = 0.6):
        self.threshold = threshold
        self.examples = [(q, words) for q in example_queries if len(words := content_words(q)) >= 4]

    def source_of(self, query: str) -> str | None:
        words = content_words(query)
        for example, example_words in self.examples:
            if len(example_words & words) / len(example_words) >= self.threshold:
                return example
        return None
