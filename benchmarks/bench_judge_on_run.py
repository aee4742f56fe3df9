"""What the LLM judge would add to a finished run: re-judge its kept examples (with their recorded
execution results, and the values the grounding stage could not trace to the query, as the chain
shows them) and print the ones the judge rejects, with its reasons.

    python benchmarks/bench_judge_on_run.py RUN_DIR [hydra overrides, e.g. judge.model=...]

The run's own config is not needed: the judge is the one the overrides compose (the embedded
model by default). Prints figures and verdicts; asserts nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from apigen.build import build
from apigen.calibrate.__main__ import compose_config
from apigen.records import Candidate, Outcome
from apigen.verify.grounding import untraced_values
from apigen.verify.semantic import SemanticJudge


def kept_outcomes(run_dir: Path) -> list[Outcome]:
    lines = (run_dir / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    return [o for o in (Outcome.from_dict(json.loads(line)) for line in lines if line.strip()) if o.kept]


async def rejudge(judge: SemanticJudge, outcomes: list[Outcome]) -> list[tuple[Outcome, bool, str]]:
    found = []
    for outcome in outcomes:
        example = outcome.example
        assert example is not None
        names = tuple(t["name"] for t in example.tools)
        candidate = Candidate(outcome.candidate_id, outcome.sample_id, outcome.position, "", names, example.query, example.answers)
        schemas = {t["name"]: t.get("parameters", {}) for t in example.tools}
        verdict, _ = await judge.judge(candidate, outcome.executions, untraced_values(example.query, example.answers, schemas))
        found.append((outcome, verdict.passed, verdict.detail))
    return found


def main(argv: list[str]) -> int:
    run_dir, overrides = Path(argv[0]), argv[1:]
    components = build(compose_config([*overrides, "verifier=with_judge"]))
    judge = components.chain.stage("semantic")
    assert isinstance(judge, SemanticJudge)
    outcomes = kept_outcomes(run_dir)
    started = time.perf_counter()
    results = asyncio.run(rejudge(judge, outcomes))
    seconds = time.perf_counter() - started
    rejected = [(o, detail) for o, passed, detail in results if not passed]
    for outcome, detail in rejected:
        print(f"- {outcome.example.query if outcome.example else ''}\n  judge: {detail[:300]}")
    print(f"\nthe judge rejects {len(rejected)} of {len(results)} kept examples; {seconds / max(1, len(results)):.1f} s each "
          f"on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
