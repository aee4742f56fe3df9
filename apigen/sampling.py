"""Samplers: which APIs, which query style, which few-shot examples and which prompt template a
generation call gets. Each request is drawn from its own RNG seeded by (seed, index, generation
digest), so the same config and seed give the same prompts whatever the concurrency, order or
sharding, and speed settings (which the generation digest leaves out) change nothing.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from apigen.catalog import Catalog
from apigen.config import RangeConfig, SamplerConfig
from apigen.paths import missing_hint, resolve_path
from apigen.records import QUERY_STYLES, ApiSpec, SampleRequest, stable_hash

MULTI_API_STYLES = ("multiple", "parallel_multiple")


class SamplerError(ValueError):
    pass


@dataclass(frozen=True)
class FewShotExample:
    id: str
    style: str
    query: str
    answers: list[dict[str, Any]]
    tools: list[str]


def load_examples(path: str) -> list[FewShotExample]:
    """Read the few-shot seed file (JSON lines); a bad line fails naming the file and line."""
    file = resolve_path(path)
    if not file.is_file():
        raise SamplerError(f"sampler.examples_file: '{file}' not found{missing_hint(path)}")
    examples = []
    for lineno, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            example = FewShotExample(
                id=str(data["id"]), style=str(data["style"]), query=str(data["query"]),
                answers=list(data["answers"]), tools=list(data.get("tools", [])),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SamplerError(f"{file}:{lineno}: not a valid example ({type(exc).__name__}: {exc})") from None
        if example.style not in QUERY_STYLES:
            raise SamplerError(f"{file}:{lineno}: unknown style '{example.style}'")
        examples.append(example)
    return examples


def enabled_styles(cfg: SamplerConfig) -> list[str]:
    """The query styles with a weight above 0, in QUERY_STYLES order."""
    return [s for s in QUERY_STYLES if cfg.styles.get(s, 0) > 0]


def _draw(rng: random.Random, rng_cfg: RangeConfig) -> int:
    return rng.randint(rng_cfg.min, rng_cfg.max)


class ApiSampler:
    """Simple and parallel prompts get one API; the multiple styles get k, all from one category
    with probability ``same_category``, else from the whole catalog. Categories are drawn first,
    so small categories are not drowned by large ones."""

    def __init__(self, catalog: Catalog, apis_per_prompt: RangeConfig, same_category: float):
        self.groups = catalog.by_category()
        self.categories = sorted(self.groups)
        self.all = list(catalog.specs)
        self.position = {spec.name: i for i, spec in enumerate(self.all)}  # names are unique in a catalog
        self.apis_per_prompt, self.same_category = apis_per_prompt, same_category

    def sample(self, rng: random.Random, style: str) -> list[ApiSpec]:
        category = rng.choice(self.categories)
        if style not in MULTI_API_STYLES:
            return [rng.choice(self.groups[category])]
        k = min(max(2, _draw(rng, self.apis_per_prompt)), len(self.all))
        if rng.random() < self.same_category:
            chosen = rng.sample(self.groups[category], min(k, len(self.groups[category])))
        else:
            chosen = []
        rest = _Without(self.all, sorted(self.position[s.name] for s in chosen))
        chosen += rng.sample(rest, k - len(chosen))
        return chosen


class _Without(Sequence[ApiSpec]):
    """``items`` minus the items at ``excluded`` (sorted positions), as a sequence, without copying
    the catalog: ``rng.sample`` draws the same positions from it as from the copied list (its draws
    depend only on the length), so requests stay identical and a draw costs O(k), not O(catalog)."""

    def __init__(self, items: list[ApiSpec], excluded: list[int]):
        self.items, self.excluded = items, excluded

    def __len__(self) -> int:
        return len(self.items) - len(self.excluded)

    @overload
    def __getitem__(self, index: int) -> ApiSpec: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ApiSpec]: ...

    def __getitem__(self, index: int | slice) -> ApiSpec | Sequence[ApiSpec]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not 0 <= index < len(self):
            raise IndexError(index)
        position = index
        for skipped in self.excluded:  # each excluded position at or before it shifts it one on
            if skipped > position:
                break
            position += 1
        return self.items[position]


class ExampleSampler:
    """k few-shot examples, preferring ones of the requested style."""

    def __init__(self, examples: Sequence[FewShotExample], per_prompt: RangeConfig):
        self.examples, self.per_prompt = list(examples), per_prompt
        self.by_id = {e.id: e for e in self.examples}

    def sample(self, rng: random.Random, style: str) -> list[FewShotExample]:
        k = min(_draw(rng, self.per_prompt), len(self.examples))
        same = [e for e in self.examples if e.style == style]
        chosen = rng.sample(same, min(k, len(same)))
        others = [e for e in self.examples if e.style != style]
        return chosen + rng.sample(others, k - len(chosen))


class RequestSampler:
    """Combines the style, API, example and template samplers into SampleRequests."""

    def __init__(self, catalog: Catalog, cfg: SamplerConfig, templates: Sequence[str],
                 examples: Sequence[FewShotExample], seed: int, generation_digest: str):
        self.styles = enabled_styles(cfg)
        self.weights = [cfg.styles[s] for s in self.styles]
        self.apis = ApiSampler(catalog, cfg.apis_per_prompt, cfg.same_category)
        self.examples = ExampleSampler(examples, cfg.examples_per_prompt)
        self.templates = list(templates)
        self.queries_per_call = cfg.queries_per_call
        self.seed, self.generation_digest = seed, generation_digest

    def sample_id(self, index: int) -> str:
        return stable_hash(self.seed, index, self.generation_digest)

    def request(self, index: int) -> SampleRequest:
        sample_id = self.sample_id(index)
        rng = random.Random(sample_id)
        style = rng.choices(self.styles, weights=self.weights)[0]
        apis = self.apis.sample(rng, style)
        examples = self.examples.sample(rng, style)
        return SampleRequest(
            sample_id=sample_id,
            index=index,
            style=style,
            api_names=tuple(a.name for a in apis),
            example_ids=tuple(e.id for e in examples),
            template=rng.choice(self.templates),
            num_queries=_draw(rng, self.queries_per_call),
        )


def example_file_digest(path: str) -> str:
    return stable_hash(Path(resolve_path(path)).read_text(encoding="utf-8"))
