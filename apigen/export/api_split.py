"""The train/test split by API: a share of the functions is held out, and every row that offers
one of them (as the function to call or as a distractor) goes to test, so no held-out function
appears anywhere in train. Which functions are held out is a stable hash of (seed, name): it does
not depend on the rows, their order or how the dataset grows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from apigen.config import OutputConfig
from apigen.records import Example

SPLITS = ("train", "test")


@dataclass(frozen=True)
class ApiSplit:
    test_share: float  # the share of function names held out (the share of rows is larger)
    seed: int = 0

    def held_out(self, name: str) -> bool:
        digest = hashlib.sha256(f"apigen-api-split:{self.seed}:{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.test_share

    def split_of(self, example: Example) -> str:
        return "test" if any(self.held_out(t["name"]) for t in example.tools) else "train"


def configured_split(output: OutputConfig) -> ApiSplit | None:
    """The split ``output.split`` asks for; None for no split."""
    return ApiSplit(output.test_share, output.split_seed) if output.split == "by_api" else None
