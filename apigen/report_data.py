"""The figures of a run's report, computed once from the run files for report.md and report.html.

The stage files are streamed through the same ``RunState`` the run itself counts with
(``store.read_state``), so every figure covers exactly the outcomes the manifest counts: the
latest attempt of each finished sample, and a candidate verified again counted once, by its newer
outcome. Memory is flat in the number of rows: counters, a bounded set of n-gram hashes and
fixed-size samples of rows (reservoirs with a fixed seed, so the same run shows the same rows).

Kept rows give the coverage (APIs called, their categories), the query lengths, distinct n-grams
and the argument-type mix; styles are counted over every generated candidate and over kept rows.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from apigen.records import Outcome
from apigen.store import CANDIDATES, RunState, read_state
from apigen.verify.reasons import describe

# (stage, reason, label) of the rejections both reports count as duplicates or benchmark overlap.
DUPLICATE_STAGES = (("dedup", "duplicate_query", "exact duplicates"), ("near_dup", "near_duplicate", "near-duplicates"),
                    ("decontaminate", "benchmark_overlap", "BFCL overlaps"))
DUPLICATE_REASONS = tuple(reason for _, reason, _ in DUPLICATE_STAGES)

KEPT_SAMPLE_SIZE = 12
REJECTED_SAMPLE_PER_REASON = 3
DISTINCT_SKETCH_SIZE = 8192  # exact below this many distinct n-grams, estimated (about 1% error) above
HISTOGRAM_MAX_BINS = 20
NOT_IN_CATALOG = "(not in the catalog)"
_WORD = re.compile(r"\w+")


def duplicate_counts(rejected: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """Rejected rows per duplicate reason code, from the run state's (stage, reason) counts."""
    return {reason: rejected.get((stage, reason), 0) for stage, reason, _ in DUPLICATE_STAGES}


def json_type(value: Any) -> str:
    """A value's JSON Schema type name (integer apart from number, as schemas tell them apart)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object"


class DistinctCounter:
    """How many distinct items were added, in bounded memory: the ``size`` smallest 64-bit hashes
    are kept (a k-minimum-values sketch). Exact while fewer than ``size`` distinct items were seen."""

    def __init__(self, size: int = DISTINCT_SKETCH_SIZE):
        self.size = size
        self._smallest: list[int] = []  # a max-heap (negated) of the smallest hashes
        self._members: set[int] = set()

    def add(self, item: str) -> None:
        value = int.from_bytes(hashlib.blake2b(item.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")
        if value in self._members:
            return
        if len(self._smallest) < self.size:
            heapq.heappush(self._smallest, -value)
            self._members.add(value)
        elif value < -self._smallest[0]:
            self._members.discard(-heapq.heappushpop(self._smallest, -value))
            self._members.add(value)

    @property
    def exact(self) -> bool:
        return len(self._smallest) < self.size

    def count(self) -> int:
        if self.exact:
            return len(self._smallest)
        return round((self.size - 1) / ((-self._smallest[0] + 1) / 2**64))


class Reservoir:
    """A uniform sample of at most ``size`` items from a stream of unknown length."""

    def __init__(self, size: int, rng: random.Random):
        self.size, self.rng, self.seen = size, rng, 0
        self.items: list[dict[str, Any]] = []

    def offer(self, item: dict[str, Any]) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        else:
            slot = self.rng.randrange(self.seen)
            if slot < self.size:
                self.items[slot] = item


def length_histogram(lengths: Mapping[int, int], max_bins: int = HISTOGRAM_MAX_BINS) -> list[dict[str, int]]:
    """Equal-width bins ``[low, high]`` (inclusive) over the observed lengths, at most ``max_bins``."""
    if not lengths:
        return []
    low, high = min(lengths), max(lengths)
    width = max(1, math.ceil((high - low + 1) / max_bins))
    bins = [{"low": start, "high": start + width - 1, "count": 0} for start in range(low, high + 1, width)]
    for length, count in lengths.items():
        bins[(length - low) // width]["count"] += count
    return bins


def _nth(ordered: list[tuple[int, int]], position: int) -> int:
    """The length at ``position`` (0-based) of the sorted rows that ``ordered`` (length, rows) counts."""
    for length, count in ordered:
        if position < count:
            return length
        position -= count
    raise IndexError(position)


def _length_summary(lengths: Mapping[int, int]) -> dict[str, Any]:
    total = sum(lengths.values())
    if not total:
        return {"rows": 0, "min": None, "median": None, "mean": None, "max": None}
    ordered = sorted(lengths.items())
    median = (_nth(ordered, (total - 1) // 2) + _nth(ordered, total // 2)) / 2
    return {"rows": total, "min": ordered[0][0], "median": median,
            "mean": round(sum(k * v for k, v in ordered) / total, 2), "max": ordered[-1][0]}


@dataclass
class Figures:
    """Everything the report shows beyond the manifest's stage table and reasons."""

    styles: dict[str, dict[str, int]] = field(default_factory=dict)  # style -> {"generated", "kept"}
    apis: list[dict[str, Any]] = field(default_factory=list)  # {name, category, calls, examples}, catalog order then others
    unused_apis: list[str] = field(default_factory=list)  # catalog APIs no kept row calls
    categories: list[dict[str, Any]] = field(default_factory=list)  # {category, apis, apis_used, calls, examples}
    no_call_rows: int = 0  # kept rows whose right answer is no call
    query_words: dict[int, int] = field(default_factory=dict)  # kept query length in words -> rows
    length_histogram: list[dict[str, int]] = field(default_factory=list)
    length_summary: dict[str, Any] = field(default_factory=dict)
    distinct: dict[str, Any] = field(default_factory=dict)  # distinct-1/2: unique, total, ratio, exact
    duplicates: dict[str, int] = field(default_factory=dict)  # duplicate reason code -> rejected rows
    argument_types: dict[str, int] = field(default_factory=dict)  # JSON type -> argument values in kept calls
    kept_sample: list[dict[str, Any]] = field(default_factory=list)  # {query, style, calls}
    rejected_sample: list[dict[str, Any]] = field(default_factory=list)  # {query, style, calls, stage, reason, meaning, detail}


class _SampleLines:
    """Candidates read back from candidates.jsonl by their sample's byte offset (the outcomes of
    one sample are counted together, so only the last line read is kept)."""

    def __init__(self, path: Path):
        self.path, self.offset = path, -1
        self.handle: IO[bytes] | None = None
        self.by_id: dict[str, dict[str, Any]] = {}

    def candidate(self, sample_offset: int, candidate_id: str) -> dict[str, Any]:
        if sample_offset != self.offset:
            if self.handle is None:
                self.handle = self.path.open("rb")
            self.handle.seek(sample_offset)
            record = json.loads(self.handle.readline())
            self.by_id = {c["candidate_id"]: c for c in record.get("candidates", [])}
            self.offset = sample_offset
        return self.by_id.get(candidate_id, {})

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


class _Collector:
    """Told of every counted outcome (``RunState.on_counted``); accumulates the figures."""

    def __init__(self, lines: _SampleLines, categories: Mapping[str, str]):
        self.lines, self.categories = lines, categories
        self.generated: Counter[str] = Counter()
        self.kept: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.examples: Counter[str] = Counter()  # API -> kept rows calling it
        self.category_examples: Counter[str] = Counter()
        self.no_call = 0
        self.words: Counter[int] = Counter()
        self.ngrams = {1: DistinctCounter(), 2: DistinctCounter()}
        self.ngram_totals = {1: 0, 2: 0}
        self.types: Counter[str] = Counter()
        rng = random.Random(0)
        self.kept_rows = Reservoir(KEPT_SAMPLE_SIZE, rng)
        self.rejected_rows: dict[tuple[str, str], Reservoir] = {}
        self.rng = rng
        self.undecided: set[str] = set()  # candidates counted with a retry outcome (a rerun may replace it)
        self.replaced: set[str] = set()

    def __call__(self, outcome: Outcome, sample_offset: int) -> None:
        candidate = self.lines.candidate(sample_offset, outcome.candidate_id)
        style = (outcome.example.style if outcome.example and outcome.example.style else candidate.get("style", "")) or "(none)"
        if outcome.candidate_id in self.undecided:  # verified again: already counted as generated
            self.undecided.discard(outcome.candidate_id)
            self.replaced.add(outcome.candidate_id)
        else:
            self.generated[style] += 1
        if outcome.retry:
            self.undecided.add(outcome.candidate_id)
        if outcome.kept and outcome.example is not None:
            self._kept(outcome, style)
        elif not outcome.kept:
            key = (outcome.stage, outcome.reason)
            reservoir = self.rejected_rows.setdefault(key, Reservoir(REJECTED_SAMPLE_PER_REASON, self.rng))
            reservoir.offer({"candidate_id": outcome.candidate_id, "query": candidate.get("query", "") or candidate.get("raw", ""),
                             "style": style, "calls": list(candidate.get("calls", [])), "stage": outcome.stage,
                             "reason": outcome.reason, "meaning": describe(outcome.stage, outcome.reason),
                             "detail": outcome.detail})

    def _kept(self, outcome: Outcome, style: str) -> None:
        example = outcome.example
        assert example is not None
        self.kept[style] += 1
        if not example.answers:
            self.no_call += 1
        for name in {call.name for call in example.answers}:
            self.examples[name] += 1
        for category in {self.categories.get(call.name, NOT_IN_CATALOG) for call in example.answers}:
            self.category_examples[category] += 1
        for call in example.answers:
            self.calls[call.name] += 1
            for value in call.arguments.values():
                self.types[json_type(value)] += 1
        self.words[len(example.query.split())] += 1
        tokens = _WORD.findall(example.query.lower())
        for n in (1, 2):
            grams = [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
            self.ngram_totals[n] += len(grams)
            for gram in grams:
                self.ngrams[n].add(gram)
        self.kept_rows.offer({"query": example.query, "style": style, "calls": [c.to_dict() for c in example.answers],
                              "assistant_text": example.assistant_text})

    def figures(self, rejected: Mapping[tuple[str, str], int]) -> Figures:
        catalog = list(self.categories)
        api_rows: list[dict[str, Any]] = [
            {"name": name, "category": self.categories.get(name, NOT_IN_CATALOG), "calls": self.calls[name],
             "examples": self.examples[name]} for name in catalog + sorted(set(self.calls) - set(catalog))]
        by_category: dict[str, dict[str, Any]] = {}
        for row in api_rows:
            entry = by_category.setdefault(row["category"], {"category": row["category"], "apis": 0, "apis_used": 0, "calls": 0,
                                                             "examples": self.category_examples[row["category"]]})
            entry["apis"] += row["category"] != NOT_IN_CATALOG
            entry["apis_used"] += row["calls"] > 0
            entry["calls"] += row["calls"]
        distinct = {}
        for n, counter in self.ngrams.items():
            unique, total = counter.count(), self.ngram_totals[n]
            distinct[f"distinct_{n}"] = {"unique": unique, "total": total, "ratio": round(unique / total, 4) if total else None,
                                         "exact": counter.exact}
        duplicates = duplicate_counts(rejected)
        rejected_sample = [row for key in sorted(self.rejected_rows, key=lambda k: -rejected.get(k, 0))
                           for row in self.rejected_rows[key].items if row["candidate_id"] not in self.replaced]
        return Figures(
            styles={style: {"generated": count, "kept": self.kept[style]} for style, count in self.generated.most_common()},
            apis=api_rows, unused_apis=[name for name in catalog if not self.calls[name]],
            categories=sorted(by_category.values(), key=lambda e: (-e["calls"], e["category"])),
            no_call_rows=self.no_call, query_words=dict(sorted(self.words.items())),
            length_histogram=length_histogram(self.words), length_summary=_length_summary(self.words),
            distinct=distinct, duplicates=duplicates, argument_types=dict(self.types.most_common()),
            kept_sample=self.kept_rows.items, rejected_sample=rejected_sample,
        )


def collect_figures(run_dir: str | Path, categories: Mapping[str, str]) -> Figures:
    """The report's figures for the run in ``run_dir``; ``categories`` maps every catalog API (in
    catalog order) to its category, so that unused APIs are listed too."""
    run_dir = Path(run_dir)
    lines = _SampleLines(run_dir / CANDIDATES)
    collector = _Collector(lines, categories)
    try:
        state = read_state(run_dir, RunState(on_counted=collector))
    finally:
        lines.close()
    return collector.figures(state.rejected)
