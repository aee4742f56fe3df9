"""Stage 1 (format) on BFCL's ground truth: the share of correct answers it accepts, per
category, and why it rejects the others (each rejection is a false one: the answers are correct).

    PYTHONPATH=. python benchmarks/bench_format_bfcl.py [--categories simple_python multiple ...]

Needs BFCL's data: python -m apigen.bfcl install (scripts/setup.sh does it).
"""

from __future__ import annotations

import argparse
from collections import Counter

from apigen.bfcl.data import CATEGORIES, NON_LIVE
from apigen.bfcl.format_check import reference_verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--categories", nargs="+", default=list(NON_LIVE), choices=[c for c, s in CATEGORIES.items() if s])
    args = parser.parse_args()
    results = reference_verdicts(args.categories)
    totals: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    for item, verdict in results:
        totals[item.category] += 1
        accepted[item.category] += verdict.passed
    for category in args.categories:
        print(f"{category:<24} {accepted[category]:>5}/{totals[category]:<5} {accepted[category] / totals[category]:.1%}")
    ok, total = sum(accepted.values()), sum(totals.values())
    print(f"{'overall':<24} {ok:>5}/{total:<5} {ok / total:.1%}")
    rejected = [(item, v) for item, v in results if not v.passed]
    if rejected:
        print(f"\nRejected ({len(rejected)}):")
        for item, verdict in rejected:
            print(f"  {item.id:<24} {verdict.reason:<26} {verdict.detail[:110]}")


if __name__ == "__main__":
    main()
