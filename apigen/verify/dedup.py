"""The dedup stage: a query that was already kept (compared case- and whitespace-insensitively)
adds nothing to a dataset and is rejected as ``duplicate_query``, also across resumes.

Decided once, where the stage stands in the chain: a candidate that passes claims its query, so
a repeat arriving while the first is still being verified is rejected too; a claim is released
when its candidate is rejected by a later stage, so one failed copy does not block the query.
Memory: one 16-byte digest per kept query.
"""

from __future__ import annotations

import hashlib

from apigen.records import Candidate, Example, Verdict
from apigen.verify.chain import StageContext, StageEnv


def query_key(query: str) -> bytes:
    # surrogatepass: a query is model text and may hold a lone surrogate, which strict UTF-8 refuses.
    return hashlib.blake2b(" ".join(query.lower().split()).encode("utf-8", "surrogatepass"), digest_size=16).digest()


class DedupStage:
    name = "dedup"

    def __init__(self) -> None:
        self.kept: set[bytes] = set()
        self.claims: dict[bytes, str] = {}  # query key -> candidate id still being verified

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        key = query_key(candidate.query)
        if key in self.kept or key in self.claims:
            return Verdict(candidate.candidate_id, self.name, False, "duplicate_query", "the same query was already kept")
        self.claims[key] = candidate.candidate_id
        return Verdict(candidate.candidate_id, self.name, True)

    def settle(self, candidate: Candidate, kept: bool) -> None:
        key = query_key(candidate.query)
        if self.claims.get(key) == candidate.candidate_id:
            del self.claims[key]
            # A missing_parameter row keeps a rewritten query, not this one: its source query is
            # not recorded, so that a resume (which sees only the kept row) decides the same.
            if kept and candidate.derive != "missing_parameter":
                self.kept.add(key)

    def restore(self, example: Example) -> None:
        if example.style != "missing_parameter":
            self.kept.add(query_key(example.query))


def build_stage(env: StageEnv) -> DedupStage:
    return DedupStage()
