"""The near_dup and decontaminate stages on planted rows: the share of planted near-duplicates
and planted BFCL questions they catch, the share of clean rows they wrongly reject, and their
speed on a large run (apigen/calibrate/planted.py says what is planted).

    PYTHONPATH=. python benchmarks/bench_near_dup.py [--rows 100000] [--seed 0]

Needs BFCL's data: python -m apigen.bfcl install (scripts/setup.sh does it).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import time

from apigen.bfcl.data import all_questions
from apigen.calibrate.planted import Figures, Row, bfcl_rows, catalog_rows, measure_decontaminate, measure_near_dup, seed_rows
from apigen.config import DecontaminateVerifierConfig, NearDupVerifierConfig
from apigen.records import Candidate
from apigen.verify.chain import StageContext
from apigen.verify.decontaminate import DecontaminateStage, bfcl_index
from apigen.verify.near_dup import NearDupStage

LIVE = ("live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def show(title: str, figures: Figures, clean_label: str) -> None:
    print(f"\n{title}")
    print(f"  planted caught: {figures.caught}/{figures.planted} = {_pct(figures.caught_share())}   "
          + ", ".join(f"{edit} {c}/{n}" for edit, (n, c) in figures.by_edit.items()))
    print(f"  false hits on {clean_label}: {len(figures.false_hits)}/{figures.clean} = {_pct(figures.false_hit_share())}")
    for edit, row in figures.missed[:10]:
        print(f"    missed ({edit}): {row.query[:100]!r}")
    for row, detail in figures.false_hits[:10]:
        print(f"    false hit: {row.query[:80]!r} -> {detail[:120]}")


def distinct(rows: list[Row]) -> list[Row]:
    """Rows whose query (case and spacing folded) was not met before: an exact repeat is dedup's."""
    seen: set[str] = set()
    kept = []
    for row in rows:
        key = " ".join(row.query.lower().split())
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def synthetic(count: int, seed: int) -> list[Candidate]:
    """Distinct-looking rows for the speed figure: 8 to 25 words drawn from BFCL's vocabulary, and
    the calls of a random built-in API's example."""
    rng = random.Random(seed)
    vocabulary = sorted({w for _, q in all_questions() for w in q.split() if w.isalpha()})
    apis = catalog_rows()
    rows = []
    for i in range(count):
        api = rng.choice(apis)
        query = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 25)))
        rows.append(Candidate(f"s{i}", f"s{i}", 0, "", (api.label,), query, api.calls))
    return rows


async def _speed(rows: list[Candidate]) -> tuple[NearDupStage, int, float, float, float]:
    context = StageContext()
    near_dup = NearDupStage(NearDupVerifierConfig.threshold)
    started = time.process_time()
    rejected = 0
    for row in rows:
        verdict = await near_dup.check(row, context)
        near_dup.settle(row, kept=verdict.passed)
        rejected += not verdict.passed
    near_s = time.process_time() - started
    started = time.process_time()
    index = bfcl_index()
    build_s = time.process_time() - started
    decontaminate = DecontaminateStage(index, DecontaminateVerifierConfig.threshold)
    started = time.process_time()
    for row in rows:
        await decontaminate.check(row, context)
    return near_dup, rejected, near_s, build_s, time.process_time() - started


def speed(count: int, seed: int) -> None:
    rows = synthetic(count, seed)
    bfcl_index.cache_clear()  # the build is part of the figure
    near_dup, rejected, near_s, build_s, decon_s = asyncio.run(_speed(rows))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nCPU time on {count} synthetic rows:")
    print(f"  near_dup: {1e6 * near_s / count:.0f} us per candidate, index of {len(near_dup.index.rows)} kept rows "
          f"({rejected} rejected); process peak RSS {peak_mb:.0f} MB")
    print(f"  decontaminate: index of {len(bfcl_index())} BFCL questions built in {build_s:.2f} s; "
          f"{1e6 * decon_s / count:.0f} us per candidate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rows", type=int, default=100_000, help="synthetic rows for the speed figure (0: skip)")
    args = parser.parse_args()
    seeds, catalog = seed_rows(), catalog_rows()
    near_threshold, decon_threshold = NearDupVerifierConfig.threshold, DecontaminateVerifierConfig.threshold
    print(f"near_dup threshold {near_threshold}, decontaminate threshold {decon_threshold}; seed {args.seed}")
    show("near_dup, planted in the built-in seeds:", measure_near_dup(seeds, near_threshold, args.seed), "the built-in seeds")
    show("near_dup, planted in the seeds and the built-in APIs' descriptions with their example calls:",
         measure_near_dup(seeds + catalog, near_threshold, args.seed), "those clean rows")
    bfcl = distinct(bfcl_rows())
    show(f"near_dup, planted in BFCL's {len(bfcl)} distinct non-live questions with their reference calls "
         "(a 'false hit' here is BFCL repeating its own question; read them):",
         measure_near_dup(bfcl, near_threshold, args.seed), "those rows")
    live = distinct(bfcl_rows(LIVE))
    show(f"near_dup, planted in BFCL's {len(live)} distinct live questions, many of one function phrased alike "
         "(a 'false hit' here is a row that repeats an earlier one's template with other values, or a short query "
         "of the same function):", measure_near_dup(live, near_threshold, args.seed), "those rows")
    show("decontaminate, BFCL's questions planted verbatim and lightly edited:",
         measure_decontaminate(all_questions(), seeds, decon_threshold, args.seed), "the built-in seeds")
    show("decontaminate, clean rows: the seeds and the built-in APIs' descriptions:",
         measure_decontaminate([], seeds + catalog, decon_threshold, args.seed), "those clean rows")
    if args.rows:
        speed(args.rows, args.seed)


if __name__ == "__main__":
    main()
