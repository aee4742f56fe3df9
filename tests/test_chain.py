"""The verifier chain: configured order, first rejection stops, hooks, dedup decided once, and
stage names checked against the modules of apigen/verify/."""

from __future__ import annotations

import asyncio

import pytest

from apigen.build import build
from apigen.config import DEFAULT_STAGES, ConfigError
from apigen.records import Candidate, Example, ToolCall, Verdict
from apigen.verify.chain import StageContext, StageError, VerifierChain, available_stages
from apigen.verify.dedup import DedupStage

from conftest import compose_config, fake_llm_overrides

REMOTE = fake_llm_overrides("http://127.0.0.1:9/v1")


def cand(cid: str, query: str = "Is 7 prime?") -> Candidate:
    return Candidate(cid, "s", int(cid[-1]), "simple", ("is_prime",), query, (ToolCall("is_prime", {"n": 7}),))


class Scripted:
    def __init__(self, name: str, passes: bool):
        self.name, self.passes, self.seen, self.settled = name, passes, [], []

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        self.seen.append(candidate.candidate_id)
        return Verdict(candidate.candidate_id, self.name, self.passes, "ok" if self.passes else "judge_rejected")

    def settle(self, candidate: Candidate, kept: bool) -> None:
        self.settled.append((candidate.candidate_id, kept))


def test_chain_stops_at_the_first_rejection_and_settles_every_stage():
    catalog = build(compose_config(REMOTE + ["verifier.stages=[format]"])).catalog
    first, second, third = Scripted("a", True), Scripted("b", False), Scripted("c", True)
    chain = VerifierChain([first, second, third], catalog)
    outcome = asyncio.run(chain.verify(cand("s-0"), index=4, attempt=2))
    assert (outcome.kept, outcome.stage, outcome.reason, outcome.index, outcome.attempt) == (False, "b", "judge_rejected", 4, 2)
    assert [v.stage for v in outcome.verdicts] == ["a", "b"] and third.seen == []
    assert first.settled == third.settled == [("s-0", False)]


def test_kept_outcome_carries_the_example_with_catalog_tools():
    components = build(compose_config(REMOTE + ["verifier.stages=[format,dedup]"]))
    outcome = asyncio.run(components.chain.verify(cand("s-0"), 0, 0))
    assert outcome.kept and outcome.stage == "kept"
    assert outcome.example.tools == tuple(components.catalog.tools(["is_prime"]))


def test_dedup_rejects_repeats_releases_failed_claims_and_restores():
    dedup = DedupStage()
    ctx = StageContext()
    assert asyncio.run(dedup.check(cand("s-0", "Is 7 prime?"), ctx)).passed
    repeat = asyncio.run(dedup.check(cand("s-1", "  is 7   PRIME? "), ctx))
    assert (repeat.passed, repeat.stage, repeat.reason) == (False, "dedup", "duplicate_query")
    dedup.settle(cand("s-1", "is 7 prime?"), False)  # the repeat's own rejection does not release the claim
    assert not asyncio.run(dedup.check(cand("s-2", "Is 7 prime?"), ctx)).passed
    dedup.settle(cand("s-0", "Is 7 prime?"), False)  # the claimant failed later: the query is free again
    assert asyncio.run(dedup.check(cand("s-3", "Is 7 prime?"), ctx)).passed
    dedup.settle(cand("s-3", "Is 7 prime?"), True)
    assert not asyncio.run(dedup.check(cand("s-4", "Is 7 prime?"), ctx)).passed

    resumed = DedupStage()
    resumed.restore(Example("s-0", "s", "Is 11 prime?", (), ()))
    assert not asyncio.run(resumed.check(cand("s-5", "is 11 prime?"), ctx)).passed


def test_stage_names_are_checked():
    assert {"format", "dedup", "execution", "semantic"} <= set(available_stages())
    assert "sandbox" not in available_stages() and "chain" not in available_stages()
    with pytest.raises(StageError, match="'spellcheck' is not a stage; known: .*dedup"):
        build(compose_config(REMOTE + ["verifier.stages=[format,spellcheck]"]))
    with pytest.raises(StageError, match="'reasons' is not a stage"):
        build(compose_config(REMOTE + ["verifier.stages=[format,reasons]"]))
    with pytest.raises(ConfigError, match="must start with 'format'"):
        build(compose_config(REMOTE + ["verifier.stages=[execution,format]"]))
    with pytest.raises(ConfigError, match="listed twice"):
        build(compose_config(REMOTE + ["verifier.stages=[format,dedup,dedup]"]))


def test_the_chain_is_built_in_the_configured_order():
    components = build(compose_config(REMOTE + ["verifier.stages=[format,execution,dedup]"]))
    assert components.chain.names == ["format", "execution", "dedup"]
    default = ["llm=openai_compatible", "llm.api_base=http://127.0.0.1:9/v1", "llm.model=openai/m"]
    assert build(compose_config(default)).chain.names == DEFAULT_STAGES == ["format", "dedup", "near_dup", "decontaminate",
                                                                           "execution", "grounding", "roundtrip"]
