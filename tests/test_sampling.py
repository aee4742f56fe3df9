"""Samplers: all randomness derives from the seed; ranges and weights are respected."""

from __future__ import annotations

from collections import Counter

import pytest

from apigen.build import build
from apigen.sampling import SamplerError, load_examples

from conftest import compose_config

REMOTE = ["llm=openai_compatible"]


def _requests(overrides, n=300):
    components = build(compose_config([*REMOTE, *overrides]))
    return components, [components.generator.request(i) for i in range(n)]


def test_same_config_and_seed_give_the_same_prompts_in_any_order():
    a, reqs_a = _requests(["seed=7"])
    b, _ = _requests(["seed=7"])
    backwards = [b.generator.request(i) for i in reversed(range(300))][::-1]
    assert reqs_a == backwards
    assert [a.generator.prompt(r) for r in reqs_a[:20]] == [b.generator.prompt(r) for r in backwards[:20]]


def test_a_different_seed_gives_different_requests():
    _, a = _requests(["seed=1"])
    _, b = _requests(["seed=2"])
    assert [r.api_names for r in a] != [r.api_names for r in b]
    assert len({r.sample_id for r in a} & {r.sample_id for r in b}) == 0


def test_style_weights_ranges_and_api_counts_are_respected():
    _, reqs = _requests(["sampler.styles={simple: 3.0, multiple: 0.0, parallel: 1.0, parallel_multiple: 1.0}",
                         "sampler.apis_per_prompt={min: 3, max: 4}", "sampler.queries_per_call={min: 2, max: 3}",
                         "sampler.examples_per_prompt={min: 2, max: 2}"], n=600)
    styles = Counter(r.style for r in reqs)
    assert styles["multiple"] == 0 and styles["simple"] > 2 * styles["parallel"]
    for r in reqs:
        assert 2 <= r.num_queries <= 3 and len(r.example_ids) == 2
        assert len(r.api_names) == (1 if r.style in ("simple", "parallel") else len(set(r.api_names)))
        if r.style == "parallel_multiple":
            assert 3 <= len(r.api_names) <= 4


def test_same_category_probability_one_keeps_prompts_within_a_category():
    components, reqs = _requests(["sampler.same_category=1.0", "sampler.styles={simple: 0.0, multiple: 1.0, parallel: 0.0, parallel_multiple: 0.0}",
                                  "sampler.apis_per_prompt={min: 2, max: 3}"], n=100)
    for r in reqs:
        assert len({components.catalog.get(n).category for n in r.api_names}) == 1


def test_examples_prefer_the_requested_style():
    components, reqs = _requests(["sampler.examples_per_prompt={min: 1, max: 1}"], n=100)
    for r in reqs:
        assert components.generator.examples[r.example_ids[0]].style == r.style


def test_a_bad_seed_file_line_is_named(tmp_path):
    bad = tmp_path / "seed.jsonl"
    bad.write_text('{"id": "a", "style": "simple", "query": "q", "answers": []}\n{"id": "b"}\n')
    with pytest.raises(SamplerError, match=r"seed.jsonl:2"):
        load_examples(str(bad))
