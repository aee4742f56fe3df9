"""Planted near-duplicates and planted BFCL questions, to measure the near_dup and decontaminate
stages (benchmarks/bench_near_dup.py, tests/test_near_dup.py).

Clean rows: the built-in few-shot seeds, each built-in API's description with its documented
example call, and BFCL's non-live questions with their reference calls (for near_dup only: they
are what decontaminate must catch). Planted near-duplicates are paraphrase-like edits of a clean
row that keep its call skeleton: other numbers, other names, another language, clauses in another
order, another case, a polite prefix. Planted BFCL questions are the questions verbatim and lightly
edited (other numbers, another case, one word dropped, a polite prefix).
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from apigen.records import Candidate, ToolCall
from apigen.verify.chain import StageContext
from apigen.verify.decontaminate import MIN_GRAMS, DecontaminateStage, bfcl_index, grams
from apigen.verify.near_dup import NearDupStage

LANGUAGES = ("English", "Spanish", "German", "French", "Italian", "Portuguese", "Japanese", "Dutch", "Polish", "Korean", "Swedish")
_NAMES = ("Porto", "Oslo", "Nairobi", "Quito", "Hanoi", "Denver", "Lyon", "Perth", "Cusco", "Tartu", "Maria", "Kenji")
_NUMBER = re.compile(r"\b\d+\b")
_CLAUSE = re.compile(r"^(.+?),? and (.+?)([.?!]?)$")
_TAIL = re.compile(r"^(.+?) ((?:in|for|at|on|from|near|with|by|of) [^,]+?)([.?!]?)$")


@dataclass(frozen=True)
class Row:
    label: str
    query: str
    calls: tuple[ToolCall, ...] = ()


def other_numbers(query: str, rng: random.Random) -> str | None:
    if not _NUMBER.search(query):
        return None
    return _NUMBER.sub(lambda m: str(int(m.group()) + rng.randint(1, 9)), query)


def other_names(query: str, rng: random.Random) -> str | None:
    """Each name after the first word (a run of capitalised words: a place, a person, a brand; not
    an acronym such as "US" or "UTF-8") becomes another one-word name."""
    out: list[str] = []
    in_name = changed = False
    for i, word in enumerate(query.split(" ")):
        bare = word.rstrip(".,?!'")
        if not _is_name(bare, i == 0):
            out.append(word)
            in_name = False
            continue
        if in_name:  # the run goes on: its one new name takes the punctuation after it
            out[-1] = out[-1].rstrip(".,?!'")
        else:
            out.append(rng.choice(_NAMES))
        out[-1] += word[len(bare):]
        in_name, changed = word == bare, True  # punctuation ends the run
    return " ".join(out) if changed else None


def _is_name(bare: str, first: bool) -> bool:
    return not first and bare.isalpha() and bare[:1].isupper() and not bare.isupper() and bare not in LANGUAGES


def other_language(query: str, rng: random.Random) -> str | None:
    present = [name for name in LANGUAGES if name in query]
    if not present:
        return None
    for name in present:
        query = query.replace(name, rng.choice([x for x in LANGUAGES if x not in present]))
    return query


def other_order(query: str, rng: random.Random) -> str | None:
    """'A and B.' -> 'B and A.'; else the last phrase first: 'X in Lisbon?' -> 'In Lisbon, x?'."""
    if found := _CLAUSE.match(query):
        first, second, end = found.groups()
        return f"{second[:1].upper()}{second[1:]} and {first[:1].lower()}{first[1:]}{end}"
    if found := _TAIL.match(query):
        head, tail, end = found.groups()
        return f"{tail[:1].upper()}{tail[1:]}, {head[:1].lower()}{head[1:]}{end}"
    return None


def other_case(query: str, rng: random.Random) -> str | None:
    return rng.choice([query.upper(), query.lower()])


def polite(query: str, rng: random.Random) -> str | None:
    return f"{rng.choice(['Please', 'Could you', 'Hey,'])} {query[:1].lower()}{query[1:]}"


def dropped_word(query: str, rng: random.Random) -> str | None:
    words = query.split(" ")
    if len(words) < 6:
        return None
    del words[rng.randrange(1, len(words))]
    return " ".join(words)


Edit = Callable[[str, random.Random], "str | None"]
DUPLICATE_EDITS: dict[str, Edit] = {"numbers": other_numbers, "names": other_names, "language": other_language,
                                    "order": other_order, "case": other_case, "polite": polite}
BENCHMARK_EDITS: dict[str, Edit] = {"verbatim": lambda q, rng: q, "numbers": other_numbers, "case": other_case,
                                    "dropped_word": dropped_word, "polite": polite}


def planted(rows: list[Row], edits: dict[str, Edit], seed: int = 0) -> Iterator[tuple[str, Row, Row]]:
    """(edit name, original, edited) for every edit that applies to a row."""
    rng = random.Random(seed)
    for row in rows:
        for name, edit in edits.items():
            query = edit(row.query, rng)
            if query is not None and (query != row.query or name == "verbatim"):
                yield name, row, Row(f"{row.label}~{name}", query, row.calls)


def seed_rows() -> list[Row]:
    from apigen.paths import builtin_path
    from apigen.sampling import load_examples

    return [Row(e.id, e.query, tuple(ToolCall(a["name"], a["arguments"]) for a in e.answers)) for e in load_examples(str(builtin_path("prompts/fewshot/seed.jsonl")))]


def catalog_rows() -> list[Row]:
    """Each built-in API's description as a query, with its first documented example call."""
    from apigen.catalog import load_catalog
    from apigen.paths import catalog_dir

    catalog = load_catalog([str(catalog_dir())])
    return [Row(spec.name, spec.description, (ToolCall(spec.name, dict(spec.examples[0].arguments)),))
            for spec in catalog.specs_for(catalog.names) if spec.examples]


def bfcl_rows(categories: tuple[str, ...] | None = None) -> list[Row]:
    """BFCL's questions with their reference calls (needs the bfcl-eval data)."""
    from apigen.bfcl.data import NON_LIVE, load_category, reference_calls

    return [Row(item.id, item.question, reference_calls(item)) for category in (categories or NON_LIVE)
            for item in load_category(category)]


@dataclass
class Figures:
    """How a stage did: planted rows caught, clean rows wrongly rejected (with their details)."""

    planted: int = 0
    caught: int = 0
    clean: int = 0
    false_hits: list[tuple[Row, str]] = field(default_factory=list)
    missed: list[tuple[str, Row]] = field(default_factory=list)  # (edit, planted row)
    by_edit: dict[str, list[int]] = field(default_factory=dict)  # edit -> [planted, caught]

    def caught_share(self) -> float:
        return self.caught / self.planted if self.planted else float("nan")

    def false_hit_share(self) -> float:
        return len(self.false_hits) / self.clean if self.clean else float("nan")

    def count(self, edit: str, row: Row, caught: bool) -> None:
        self.planted += 1
        self.caught += caught
        tally = self.by_edit.setdefault(edit, [0, 0])
        tally[0] += 1
        tally[1] += caught
        if not caught:
            self.missed.append((edit, row))


def _candidate(row: Row) -> Candidate:
    return Candidate(row.label, row.label, 0, "", tuple(dict.fromkeys(c.name for c in row.calls)), row.query, row.calls)


def measure_near_dup(clean: list[Row], threshold: float, seed: int = 0) -> Figures:
    """The clean rows go through one near_dup stage in order and are kept (a rejection is a false
    hit); then each planted near-duplicate of a kept clean row is checked against them."""
    return asyncio.run(_near_dup(clean, threshold, seed))


async def _near_dup(clean: list[Row], threshold: float, seed: int) -> Figures:
    stage = NearDupStage(threshold)
    figures = Figures(clean=len(clean))
    context = StageContext()
    kept = []
    for row in clean:
        candidate = _candidate(row)
        verdict = await stage.check(candidate, context)
        stage.settle(candidate, kept=verdict.passed)
        if verdict.passed:
            kept.append(row)
        else:
            figures.false_hits.append((row, verdict.detail))
    for edit, _, row in planted(kept, DUPLICATE_EDITS, seed):
        candidate = _candidate(row)
        verdict = await stage.check(candidate, context)
        stage.settle(candidate, kept=False)
        figures.count(edit, row, not verdict.passed)
    return figures


def measure_decontaminate(questions: list[tuple[str, str]], clean: list[Row], threshold: float, seed: int = 0) -> Figures:
    """BFCL questions planted verbatim and lightly edited (a question too short to tell from common
    phrasing only verbatim, in another case or with other numbers), and clean rows."""
    return asyncio.run(_decontaminate(questions, clean, threshold, seed))


async def _decontaminate(questions: list[tuple[str, str]], clean: list[Row], threshold: float, seed: int) -> Figures:
    index = bfcl_index()
    stage = DecontaminateStage(index, threshold)
    figures = Figures(clean=len(clean))
    context = StageContext()
    short_edits = {name: BENCHMARK_EDITS[name] for name in ("verbatim", "numbers", "case")}
    long_rows = [Row(i, q) for i, q in questions if len(grams(q)) >= MIN_GRAMS]
    short_rows = [Row(i, q) for i, q in questions if len(grams(q)) < MIN_GRAMS]
    for edits, rows in ((BENCHMARK_EDITS, long_rows), (short_edits, short_rows)):
        for edit, _, row in planted(rows, edits, seed):
            figures.count(edit, row, not (await stage.check(_candidate(row), context)).passed)
    for row in clean:
        verdict = await stage.check(_candidate(row), context)
        if not verdict.passed:
            figures.false_hits.append((row, verdict.detail))
    return figures
