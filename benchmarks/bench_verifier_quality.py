"""Verifier quality on labelled data: correct rows kept and wrong rows rejected, per stage and for
the default chain, with the embedded default model (no API key, no network).

    python benchmarks/bench_verifier_quality.py [--per-kind 50] [--out calibration.json] [overrides]

A thin wrapper over ``python -m apigen.calibrate`` that also measures the stages the default
chain leaves out (``--also``), so the table shows what each would add. Not a timed test: it prints
the figures quoted in docs/VERIFICATION.md, with the core count. On 2 cores the full run takes
tens of minutes (the judge costs most); ``--llm-rows-per-kind N`` bounds the LLM stages' own rows.
"""

from __future__ import annotations

import sys

from apigen.calibrate.__main__ import main

ALL_STAGES = "grounding,roundtrip,semantic"

if __name__ == "__main__":
    argv = sys.argv[1:]
    if not any(a.startswith("--also") for a in argv):
        argv = ["--also", ALL_STAGES, *argv]
    sys.exit(main(argv))
