"""The near_dup stage: a candidate that says nearly what an example of this run already says is
rejected as ``near_duplicate`` (the same question with other numbers, another city or language,
its clauses in another order).

A candidate is a set of features: the words and word pairs of its normalised query (apigen/verify/
ngrams.py: case-folded, every number one token) and its call skeleton, the function names and
argument keys (values left out). Two candidates are near-duplicates when the Jaccard similarity
of their sets reaches ``verifier.near_dup.threshold``.

Search is exact and sub-linear (prefix filtering): features are ranked in one fixed order, rare
before common; two sets with Jaccard >= t must share a feature among the first
``size - ceil(t * size) + 1`` of each, so only those are indexed and probed, and only the rows
they lead to are compared in full. Memory: each example's feature hashes, query and index entries,
about 3 KB (benchmarks/bench_near_dup.py: 486 MB peak for 100,000 rows).

Like dedup, a candidate that passes claims its place at once (a near-copy arriving while it is
still being verified is rejected too) and gives it back if a later stage rejects it; examples kept
before a resume are indexed again on start.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from apigen.records import Candidate, Example, ToolCall, Verdict
from apigen.verify.chain import StageContext, StageEnv
from apigen.verify.ngrams import NUMBER, feature, ngrams, words

# Features are ranked rare first: the query's word pairs, its words, then its call skeleton (every
# row that calls the same function shares it), then words so frequent that they say little.
_COMMON_WORDS = frozenset((NUMBER + " a an and are as at be by can could do does for from give has have how i in is it "
                           "its me my of on or please show tell that the their them then this to was what when where "
                           "which who will with would you your").split())
# Each skeleton part counts as this many features: two rows that call other functions are seldom
# duplicates, however alike their words (an encoder and its decoder), and a row with other values
# in the same calls often is.
SKELETON_WEIGHT = 3
_PAIR, _WORD, _SKELETON, _COMMON = 0, 1, 2, 3


def _ranked(text: str, rank: int) -> int:
    """The feature's hash in its rank's range, so that sorting the hashes sorts by rank."""
    return (rank << 62) | (feature(text) >> 1)


def skeleton(calls: Iterable[ToolCall]) -> set[str]:
    """Function names and argument keys of the calls, without values."""
    parts = set()
    for call in calls:
        parts.add(f"f:{call.name}")
        parts.update(f"a:{call.name}.{key}" for key in call.arguments)
    return parts


def shingles(query: str, calls: Iterable[ToolCall], skeleton_weight: int = SKELETON_WEIGHT) -> list[int]:
    """The candidate's features, unique, in the index's order (rare first)."""
    tokens = words(query)
    ranked = {_ranked(f"w:{w}", _COMMON if w in _COMMON_WORDS else _WORD) for w in tokens}
    ranked |= {_ranked(f"p:{pair}", _COMMON if all(w in _COMMON_WORDS for w in pair.split(" ")) else _PAIR)
               for pair in ngrams(tokens, 2)}
    ranked |= {_ranked(f"{part}#{copy}", _SKELETON) for part in skeleton(calls) for copy in range(skeleton_weight)}
    return sorted(ranked)


def _prefix(size: int, threshold: float) -> int:
    return size - math.ceil(threshold * size - 1e-9) + 1


@dataclass(frozen=True)
class _Row:
    features: array  # array('Q') of the row's feature hashes
    label: str  # the candidate id of the example
    query: str


@dataclass(frozen=True)
class Match:
    label: str
    query: str
    similarity: float


class NearDupIndex:
    """Feature sets of the examples so far, searchable for one at Jaccard >= threshold."""

    def __init__(self, threshold: float):
        self.threshold = threshold
        self.rows: dict[int, _Row] = {}
        self.postings: defaultdict[int, list[int]] = defaultdict(list)  # feature -> row ids (some removed)
        self._next = 0

    def nearest(self, ranked: list[int]) -> Match | None:
        """The most similar row at or above the threshold (the earliest on a tie), or None."""
        if not ranked:
            return None
        probe, size = set(ranked), len(ranked)
        low, high = self.threshold * size, size / self.threshold
        seen: set[int] = set()
        best: tuple[float, int] | None = None
        for f in ranked[: _prefix(size, self.threshold)]:
            for row_id in self.postings.get(f, ()):
                row = self.rows.get(row_id)
                if row is None or row_id in seen or not low <= len(row.features) <= high:
                    continue
                seen.add(row_id)
                shared = len(probe.intersection(row.features))
                similarity = shared / (size + len(row.features) - shared)
                if similarity >= self.threshold and (best is None or (similarity, -row_id) > (best[0], -best[1])):
                    best = (similarity, row_id)
        if best is None:
            return None
        row = self.rows[best[1]]
        return Match(row.label, row.query, round(best[0], 4))

    def add(self, ranked: list[int], label: str, query: str) -> int:
        row_id, self._next = self._next, self._next + 1
        self.rows[row_id] = _Row(array("Q", ranked), label, query)
        for f in ranked[: _prefix(len(ranked), self.threshold)]:
            self.postings[f].append(row_id)
        return row_id

    def remove(self, row_id: int) -> None:
        row = self.rows.pop(row_id)
        for f in row.features[: _prefix(len(row.features), self.threshold)]:
            self.postings[f].remove(row_id)


class NearDupStage:
    name = "near_dup"

    def __init__(self, threshold: float):
        self.index = NearDupIndex(threshold)
        self.claims: dict[str, int] = {}  # candidate id -> its row, while it is being verified

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        ranked = shingles(candidate.query, candidate.calls)
        match = self.index.nearest(ranked)
        if match is not None:
            return Verdict(candidate.candidate_id, self.name, False, "near_duplicate",
                           f"similarity {match.similarity:.2f} (threshold {self.index.threshold}) to example "
                           f"{match.label}: {match.query!r}",
                           data={"duplicate_of": match.label, "duplicate_query": match.query, "similarity": match.similarity})
        self.claims[candidate.candidate_id] = self.index.add(ranked, candidate.candidate_id, candidate.query)
        return Verdict(candidate.candidate_id, self.name, True)

    def settle(self, candidate: Candidate, kept: bool) -> None:
        row_id = self.claims.pop(candidate.candidate_id, None)
        if row_id is not None and not kept:
            self.index.remove(row_id)

    def restore(self, example: Example) -> None:
        self.index.add(shingles(example.query, example.answers), example.candidate_id, example.query)


def build_stage(env: StageEnv) -> NearDupStage:
    return NearDupStage(env.cfg.verifier.near_dup.threshold)
