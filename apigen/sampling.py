"""Samplers: which APIs, which query style, which few-shot examples and which prompt template a
generation call gets. Each request is drawn from its own RNG seeded by (seed, index, generation
digest), so the same config and seed give the same prompts whatever the concurrency, order or
sharding, and speed settings (which the generation digest leaves out) change nothing.

Derived styles (irrelevance, missing_parameter) are assigned by sample index on a low-discrepancy
sequence, so their share of any run's samples is within a few samples of the configured share,
also on small runs; the base style is then drawn as before. With ``sampler.feedback`` on, the
few-shot pool grows by rounds of sample indexes (FewShotPool).
"""

from __future__ import annotations

import json
import math
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from apigen.catalog import Catalog
from apigen.config import FeedbackConfig, RangeConfig, SamplerConfig
from apigen.paths import missing_hint, resolve_path
from apigen.records import DERIVED_STYLES, QUERY_STYLES, ApiSpec, Example, SampleRequest, stable_hash

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
    """The base query styles with a weight above 0, in QUERY_STYLES order (the styles the
    generator is asked for; derived styles are made from them)."""
    return [s for s in QUERY_STYLES if cfg.styles.get(s, 0) > 0]


def derived_styles(cfg: SamplerConfig) -> list[str]:
    """The derived styles with a weight above 0, in DERIVED_STYLES order."""
    return [s for s in DERIVED_STYLES if cfg.styles.get(s, 0) > 0]


# Base styles a derived style is made from: a missing value is asked about in a one-call row only.
DERIVED_FROM = {"irrelevance": QUERY_STYLES, "missing_parameter": ("simple", "multiple")}
_GOLDEN = (math.sqrt(5) - 1) / 2


class StyleSampler:
    """Sample i is of derived style s when the i-th point of a golden-ratio sequence (a phase set by
    the seed) falls in s's slice of [0, 1), sized by s's share of all weights: over any run of
    indexes each derived share is met to within a few samples, and the index alone decides it
    (shards agree). The base style is then drawn from the base weights."""

    def __init__(self, weights: dict[str, float], phase_key: str):
        total = sum(weights.values())
        self.derived = [(s, weights[s] / total) for s in DERIVED_STYLES if weights.get(s, 0) > 0]
        self.base = [s for s in QUERY_STYLES if weights.get(s, 0) > 0]
        self.weights = weights
        self.phase = int(stable_hash(phase_key, "derived styles"), 16) / 16 ** 16

    def derive(self, index: int) -> str:
        """The derived style of sample ``index``, or "" for an ordinary sample."""
        if not self.derived:
            return ""
        point, edge = (self.phase + index * _GOLDEN) % 1.0, 0.0
        for style, share in self.derived:
            edge += share
            if point < edge:
                return style
        return ""

    def base_style(self, rng: random.Random, derive: str) -> str:
        styles = [s for s in self.base if not derive or s in DERIVED_FROM[derive]]
        return rng.choices(styles, weights=[self.weights[s] for s in styles])[0]


def _draw(rng: random.Random, rng_cfg: RangeConfig) -> int:
    return rng.randint(rng_cfg.min, rng_cfg.max)


class ApiSampler:
    """Simple and parallel prompts get one API; the multiple styles get k, all from one category
    with probability ``same_category``, else from the whole catalog. Categories are drawn first,
    so small categories are not drowned by large ones."""

    def __init__(self, catalog: Catalog, apis_per_prompt: RangeConfig, same_category: float):
        if not len(catalog):
            raise SamplerError("the API sampler has no API to draw")
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


class FewShotPool:
    """The few-shot examples a prompt may draw: the seed file's, plus, with ``sampler.feedback`` on,
    rows kept in earlier rounds. Round r (sample indexes [r * round_size, (r + 1) * round_size))
    draws from the pool grown from the rows kept at indexes below r * round_size, in (index,
    position) order: the pipeline grows it only once every sample before the round is finished, so
    neither concurrency nor completion order nor a resume changes a prompt."""

    def __init__(self, seed: Sequence[FewShotExample], feedback: FeedbackConfig):
        self.seed, self.feedback = list(seed), feedback
        self.round = 0
        self.grown: list[FewShotExample] = []
        self.by_id = {e.id: e for e in self.seed}

    def round_of(self, index: int) -> int:
        return index // self.feedback.round_size if self.feedback.round_size else 0

    def round_start(self, round_: int) -> int:
        return round_ * self.feedback.round_size

    def grow(self, round_: int, kept: Iterable[Example]) -> None:
        """Set the grown pool of ``round_`` from the examples kept before it, in (index, position)
        order; rows whose answer is no call are no example of a call format and are left out."""
        latest: deque[FewShotExample] = deque(maxlen=self.feedback.pool_size)  # memory: pool_size rows, not every kept row
        latest.extend(_as_example(e) for e in kept if e.answers and e.style in QUERY_STYLES)
        self.round, self.grown = round_, list(latest)
        self.by_id = {e.id: e for e in self.seed} | {e.id: e for e in self.grown}

    def examples_for(self, index: int) -> list[FewShotExample]:
        round_ = self.round_of(index)
        if round_ != self.round:
            raise SamplerError(f"sample {index} is in feedback round {round_}, but the pool is grown for round {self.round}")
        return self.grown

    def get(self, example_id: str) -> FewShotExample:
        return self.by_id[example_id]


def _as_example(example: Example) -> FewShotExample:
    return FewShotExample(id=example.candidate_id, style=example.style, query=example.query,
                          answers=[c.to_dict() for c in example.answers], tools=[str(t.get("name")) for t in example.tools])


def _with_grown(rng: random.Random, chosen: list[FewShotExample], grown: list[FewShotExample], share: float,
                style: str) -> list[FewShotExample]:
    """Each few-shot slot is, with probability ``share``, filled from the grown pool instead
    (same style first); drawn from its own RNG, so every other draw of the request is unchanged."""
    same = [e for e in grown if e.style == style] or grown
    replaced = [i for i in range(len(chosen)) if rng.random() < share]
    picks = rng.sample(same, min(len(replaced), len(same)))
    chosen = list(chosen)
    for slot, pick in zip(replaced, picks):
        chosen[slot] = pick
    return chosen


def removable_parameters(spec: ApiSpec) -> list[str]:
    """Required parameters whose value a query states as text or a number (not a flag, a list or an
    object): the values a missing_parameter row may take out of a query."""
    properties = spec.parameters.get("properties") or {}
    required = spec.parameters.get("required") or []
    scalar = {"string", "number", "integer", "float", "int", "str"}
    return [name for name in required if isinstance(properties.get(name), dict)
            and (properties[name].get("type") in scalar or "enum" in properties[name])]


class RequestSampler:
    """Combines the style, API, example and template samplers into SampleRequests."""

    def __init__(self, catalog: Catalog, cfg: SamplerConfig, templates: Sequence[str],
                 examples: Sequence[FewShotExample], seed: int, generation_digest: str):
        self.styles = StyleSampler(cfg.styles, stable_hash(seed, generation_digest))
        self.apis = ApiSampler(catalog, cfg.apis_per_prompt, cfg.same_category)
        self.derived_apis: dict[str, ApiSampler] = {}
        if cfg.styles.get("missing_parameter", 0) > 0:
            usable = tuple(s for s in catalog.specs if removable_parameters(s))
            if not usable:
                raise SamplerError("sampler.styles: missing_parameter needs APIs with a required text or number "
                                   "parameter, and the catalog has none")
            self.derived_apis["missing_parameter"] = ApiSampler(Catalog(usable), cfg.apis_per_prompt, cfg.same_category)
        self.pool = FewShotPool(examples, cfg.feedback)
        self.examples = ExampleSampler(examples, cfg.examples_per_prompt)
        self.templates = list(templates)
        self.queries_per_call = cfg.queries_per_call
        self.feedback = cfg.feedback
        self.seed, self.generation_digest = seed, generation_digest

    def sample_id(self, index: int) -> str:
        return stable_hash(self.seed, index, self.generation_digest)

    def request(self, index: int) -> SampleRequest:
        sample_id = self.sample_id(index)
        rng = random.Random(sample_id)
        derive = self.styles.derive(index)
        style = self.styles.base_style(rng, derive)
        apis = self.derived_apis.get(derive, self.apis).sample(rng, style)
        examples = self.examples.sample(rng, style)
        grown = self.pool.examples_for(index)
        if grown:
            examples = _with_grown(random.Random(f"{sample_id}:grown"), examples, grown, self.feedback.share, style)
        return SampleRequest(
            sample_id=sample_id,
            index=index,
            style=style,
            api_names=tuple(a.name for a in apis),
            example_ids=tuple(e.id for e in examples),
            template=rng.choice(self.templates),
            num_queries=_draw(rng, self.queries_per_call),
            derive=derive,
        )


def example_file_digest(path: str) -> str:
    return stable_hash(Path(resolve_path(path)).read_text(encoding="utf-8"))
