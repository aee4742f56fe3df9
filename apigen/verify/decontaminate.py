"""The decontaminate stage: a candidate whose query repeats a BFCL question is rejected as
``benchmark_overlap``, so a model trained on the data is not scored on questions it has seen.

Overlap is measured on word n-grams of the normalised text (apigen/verify/ngrams.py: case-folded,
every number one token, so a question with other numbers still matches): the share of the longer
text's n-grams that the other also holds, so common phrasing shared with a short question ("how
many calories are in ...") does not count as a copy. At or above ``verifier.decontaminate.threshold`` the
candidate is rejected, and the detail names the BFCL item.

The questions are every user message of bfcl-eval's data files (apigen/bfcl/data.py). Their index
(n-gram -> questions holding it) is built once per process and shared by every chain built in it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache

from apigen.records import Candidate, Verdict
from apigen.verify.chain import StageContext, StageEnv, StageError
from apigen.verify.ngrams import features, ngrams, words

N = 2  # words per n-gram: a word dropped, added or changed costs at most two of a question's n-grams
# A question of fewer n-grams than this ("thanks", "9:45", "Who are you?") is too short to tell
# from common phrasing: it matches only a query of the same words.
MIN_GRAMS = 4


def grams(text: str) -> set[int]:
    return features(ngrams(words(text), N))


@dataclass(frozen=True)
class Overlap:
    item_id: str
    question: str
    share: float  # of the longer text's n-grams found in the other


class BenchmarkIndex:
    """Benchmark questions by n-gram, searchable for the one a text overlaps most."""

    def __init__(self, questions: list[tuple[str, str]]):
        self.questions = questions
        self.sizes: list[int] = []
        self.postings: defaultdict[int, list[int]] = defaultdict(list)
        self.short: dict[tuple[str, ...], int] = {}  # the words of a short question -> its number
        for number, (_, text) in enumerate(questions):
            found = grams(text)
            self.sizes.append(len(found))
            if len(found) < MIN_GRAMS:
                self.short.setdefault(tuple(words(text)), number)
                continue
            for gram in found:
                self.postings[gram].append(number)

    def __len__(self) -> int:
        return len(self.questions)

    def best(self, text: str) -> Overlap | None:
        """The question sharing the largest share of n-grams with ``text`` (the first on a tie)."""
        same = self.short.get(tuple(words(text)))
        if same is not None:
            return self._overlap(same, 1.0)
        found = grams(text)
        shared: Counter[int] = Counter()
        for gram in found:
            shared.update(self.postings.get(gram, ()))
        best: tuple[float, int] | None = None
        for number, count in shared.items():
            share = count / max(len(found), self.sizes[number])
            if best is None or (share, -number) > (best[0], -best[1]):
                best = (share, number)
        return None if best is None else self._overlap(best[1], best[0])

    def _overlap(self, number: int, share: float) -> Overlap:
        item_id, question = self.questions[number]
        return Overlap(item_id, question, round(share, 4))


@cache
def bfcl_index() -> BenchmarkIndex:
    """BFCL's questions, indexed once per process (raises BfclDataError when the data is missing)."""
    from apigen.bfcl.data import all_questions

    return BenchmarkIndex(all_questions())


class DecontaminateStage:
    name = "decontaminate"

    def __init__(self, index: BenchmarkIndex, threshold: float):
        self.index, self.threshold = index, threshold

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        overlap = self.index.best(candidate.query)
        if overlap is not None and overlap.share >= self.threshold:
            return Verdict(candidate.candidate_id, self.name, False, "benchmark_overlap",
                           f"{overlap.share:.0%} n-gram overlap (threshold {self.threshold:.0%}) with BFCL "
                           f"{overlap.item_id}: {overlap.question!r}",
                           data={"benchmark": "BFCL", "item_id": overlap.item_id, "question": overlap.question,
                                 "overlap": overlap.share, "query": candidate.query})
        return Verdict(candidate.candidate_id, self.name, True)


def build_stage(env: StageEnv) -> DecontaminateStage:
    from apigen.bfcl.data import BfclDataError

    try:
        index = bfcl_index()
    except BfclDataError as exc:
        raise StageError(f"verifier.stages: 'decontaminate' needs BFCL's questions: {exc}") from None
    return DecontaminateStage(index, env.cfg.verifier.decontaminate.threshold)
