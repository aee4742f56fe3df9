"""Structured-config schemas, one per config group, registered with Hydra.

``conf/config.yaml`` puts ``apigen_schema`` first in its defaults list, so every group file, every
experiment and every command-line override is merged into these typed dataclasses: an unknown
key, a misspelled key or a value of the wrong type fails at composition time, naming the key.
Checks that need more than a type (ranges, known style names, files that must exist) live in
``validate`` and run before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

from apigen.records import DERIVED_STYLES, QUERY_STYLES

# Marks a speed or infrastructure setting: it changes neither prompts, sample ids nor whether a
# run directory may be resumed (apigen/digests.py leaves these fields out).
NOT_DIGESTED = {"digest": False}


@dataclass
class RangeConfig:
    """An inclusive integer range; each draw is uniform in [min, max]."""

    min: int = 1
    max: int = 1


@dataclass
class SourceConfig:
    """One imported API source. format: python | json | openapi | xlam | openai | bfcl."""

    format: str = MISSING
    path: str = MISSING
    # openapi only: hosts the HTTP executor may call; any other host is refused (host_not_allowed).
    allowed_hosts: List[str] = field(default_factory=list)
    # Category for entries that name none (default "Other").
    category: Optional[str] = None


@dataclass
class CatalogConfig:
    # Python modules (.py), folders of them, or JSON spec files (.json); ``builtin:REL`` names the
    # built-in data (apigen/paths.py), any other relative path is relative to the working directory.
    paths: List[str] = field(default_factory=lambda: ["builtin:api_catalog"])
    # Further sources in other formats (see docs/CATALOG.md), loaded after ``paths``.
    sources: List[SourceConfig] = field(default_factory=list)
    # Empty means all. Names are matched case-insensitively.
    categories: List[str] = field(default_factory=list)
    apis: List[str] = field(default_factory=list)
    exclude_apis: List[str] = field(default_factory=list)


@dataclass
class FeedbackConfig:
    """The seed feedback loop (the paper's section 3): generation proceeds in rounds of
    ``round_size`` samples (by sample index); round r draws few-shot examples from the seed file
    plus rows kept in rounds before r. 0: off, one round, the seed file only."""

    round_size: int = 0
    # Share of each prompt's few-shot slots filled from the grown pool, once it holds rows.
    share: float = 0.5
    # The grown pool holds at most this many rows: the latest kept, in sample-index order.
    pool_size: int = 200


@dataclass
class SamplerConfig:
    # Relative weights of the query styles; styles with weight 0 are never drawn. The derived
    # styles (irrelevance, missing_parameter: the right answer is no call) are off unless given a
    # weight; their samples generate rows of a base style, which the relevance stage turns into
    # derived rows (docs/VERIFICATION.md, Relevance rows).
    styles: Dict[str, float] = field(
        default_factory=lambda: {"simple": 1.0, "multiple": 1.0, "parallel": 1.0, "parallel_multiple": 1.0,
                                 "irrelevance": 0.0, "missing_parameter": 0.0}
    )
    # APIs offered per prompt for the 'multiple' styles (simple and parallel offer one).
    apis_per_prompt: RangeConfig = field(default_factory=lambda: RangeConfig(2, 4))
    # Probability that a multi-API prompt draws all its APIs from one category.
    same_category: float = 0.5
    examples_per_prompt: RangeConfig = field(default_factory=lambda: RangeConfig(1, 2))
    examples_file: str = field(default="builtin:prompts/fewshot/seed.jsonl", metadata=NOT_DIGESTED)
    queries_per_call: RangeConfig = field(default_factory=lambda: RangeConfig(1, 3))
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)


@dataclass
class PromptConfig:
    # Folders searched for templates, first match wins: put your own folder first to override.
    search_path: List[str] = field(default_factory=lambda: ["builtin:prompts"])
    # Generator framings; the template sampler draws one per sample. Each includes the style block
    # styles/<style>.j2.
    generator: List[str] = field(default_factory=lambda: ["generator/standard.j2"])
    judge: str = "judge/semantic.j2"
    # The round-trip solver's prompt: tools and query in, calls out (never the candidate's calls).
    solver: str = "solver/answer.j2"
    # Derived relevance rows: the solver prompt that may answer with no call, and the rewrite
    # that removes a required value from a query (missing_parameter).
    relevance_solver: str = "solver/relevance.j2"
    rewrite: str = "derive/missing_parameter.j2"


@dataclass
class LocalModelConfig:
    """Engine settings of an embedded model: ``local/<name>`` runs the packaged weights ``<name>``
    (``python -m apigen.llm.models list``) in process with llama.cpp."""

    # Any GGUF file instead of the packaged weights; it is then served under the model string's name.
    gguf_path: Optional[str] = None
    chat_format: Optional[str] = None  # None: the chat template carried by the GGUF file
    n_ctx: int = field(default=4096, metadata=NOT_DIGESTED)
    n_threads: int = field(default=0, metadata=NOT_DIGESTED)  # 0: one per core
    seed: int = 0


@dataclass
class DeploymentConfig:
    """One endpoint serving a role's model (apigen/llm/router.py): several vLLM servers, or a
    provider kept as a fallback (a higher ``order``)."""

    api_base: Optional[str] = None
    model: Optional[str] = None  # null: the role's model (a provider's own name for it otherwise)
    # The NAME of the environment variable that holds this endpoint's key (never the key itself);
    # null: the role's api_key.
    api_key_env: Optional[str] = None
    # Calls in flight at once at this endpoint (0: no limit but the run's concurrency); on 429s
    # the limit backs off and recovers (AIMD).
    max_concurrency: int = 0
    # Lower first: a deployment of a higher order is used only while every lower one cools down.
    order: int = 0


@dataclass
class LLMConfig:
    """Mirrors litellm: ``model`` is any litellm model string ('openai/gpt-4o-mini',
    'ollama/qwen2.5', 'hosted_vllm/...', 'local/...' for the embedded model). A remote model has
    no engine settings; ``llm=local`` (LocalLLMConfig) adds them."""

    model: str = "local/qwen2.5-coder-1.5b"
    api_base: Optional[str] = field(default=None, metadata=NOT_DIGESTED)
    api_key: Optional[str] = field(default=None, metadata=NOT_DIGESTED)
    temperature: float = 0.7
    max_tokens: int = 1024
    # Wall-clock limit of one remote call (an embedded model's calls queue on its thread instead).
    timeout_s: float = field(default=120.0, metadata=NOT_DIGESTED)
    max_retries: int = field(default=3, metadata=NOT_DIGESTED)
    retry_backoff_s: float = field(default=1.0, metadata=NOT_DIGESTED)
    # One small call to a remote model before the run, so that a dead endpoint, a missing key or a
    # refused setting stops the run at once (apigen.llm.client).
    preflight: bool = field(default=True, metadata=NOT_DIGESTED)
    # This many calls of one role failing in a row, after their retries, stop the run (0: never).
    max_consecutive_failures: int = field(default=5, metadata=NOT_DIGESTED)
    # Ask for structured JSON output (response_format); switch off for servers that reject it.
    json_mode: bool = True
    # Passed through to litellm.acompletion as is (top_p, seed, extra_headers, ...).
    extra: Dict[str, Any] = field(default_factory=dict)
    # Calls in flight at once at api_base (0: no limit but the run's concurrency); on 429s the
    # limit backs off and recovers (AIMD, apigen/llm/router.py). Per endpoint with deployments.
    max_concurrency: int = field(default=0, metadata=NOT_DIGESTED)
    # Several endpoints serving this model, routed by free capacity; empty: api_base alone.
    deployments: List[DeploymentConfig] = field(default_factory=list, metadata=NOT_DIGESTED)
    # A deployment failing this many calls in a row (5xx, timeouts, refused connections) is left
    # out of routing for cooldown_s seconds.
    cooldown_after: int = field(default=2, metadata=NOT_DIGESTED)
    cooldown_s: float = field(default=30.0, metadata=NOT_DIGESTED)
    # The on-disk response cache (apigen/llm/cache.py): a call asked again with the same model,
    # messages, sampling settings, seed and sample is answered from disk, without a request.
    cache: bool = field(default=False, metadata=NOT_DIGESTED)
    # null: <user cache>/llm, that is $APIGEN_CACHE/llm (default ~/.cache/apigen/llm).
    cache_dir: Optional[str] = field(default=None, metadata=NOT_DIGESTED)


@dataclass
class LocalLLMConfig(LLMConfig):
    """An embedded model with its engine settings (``llm=local``); only for ``local/`` models."""

    max_retries: int = field(default=1, metadata=NOT_DIGESTED)  # a failed embedded call is rarely transient
    local: LocalModelConfig = field(default_factory=LocalModelConfig)


@dataclass
class JudgeConfig:
    """The semantic judge. Every key left unset (null) is taken from ``llm`` (apigen.llm.roles),
    so by default the judge runs the generator's model, at its own temperature and max_tokens."""

    model: Optional[str] = None
    api_base: Optional[str] = field(default=None, metadata=NOT_DIGESTED)
    api_key: Optional[str] = field(default=None, metadata=NOT_DIGESTED)
    temperature: Optional[float] = 0.0
    max_tokens: Optional[int] = 512
    timeout_s: Optional[float] = field(default=None, metadata=NOT_DIGESTED)
    max_retries: Optional[int] = field(default=None, metadata=NOT_DIGESTED)
    retry_backoff_s: Optional[float] = field(default=None, metadata=NOT_DIGESTED)
    json_mode: Optional[bool] = None
    extra: Optional[Dict[str, Any]] = None


@dataclass
class LocalJudgeConfig(JudgeConfig):
    """``judge=local``: an embedded judge model with its own engine settings."""

    local: LocalModelConfig = field(default_factory=LocalModelConfig)


@dataclass
class ExecutionVerifierConfig:
    # Wall-clock limit per call; past it the worker is killed and replaced.
    timeout_s: float = field(default=10.0, metadata=NOT_DIGESTED)
    # Warm worker processes (calls run in parallel up to this many).
    workers: int = field(default=2, metadata=NOT_DIGESTED)
    # Address-space limit per worker (RLIMIT_AS).
    memory_mb: int = 1024
    # CPU seconds per call (soft RLIMIT_CPU, re-armed per call, whole seconds; 0: no CPU limit).
    cpu_time_s: float = 10.0
    # Caps on the JSON-encoded result and on what a call prints (stdout and stderr each).
    max_result_chars: int = 4000
    max_output_chars: int = 10000
    # Most processes a call may have running at once besides its worker (more: process_limit; 0: no
    # limit). Containment settings, like timeout_s, are left out of the run digest, so runs made
    # before they existed still resume.
    max_processes: int = field(default=32, metadata=NOT_DIGESTED)
    # Run workers in PID and network namespaces where the OS allows (else: process tree + Python
    # network guard, as the manifest's "sandbox" entry says). false: never try.
    namespaces: bool = field(default=True, metadata=NOT_DIGESTED)


@dataclass
class JudgeMemberConfig:
    """One judge of a committee. Every key left unset (null) is taken from the ``judge`` group, so
    ``{model: openai/gpt-4o}`` is a complete member; unknown keys fail like everywhere else."""

    model: Optional[str] = None
    api_base: Optional[str] = field(default=None, metadata=NOT_DIGESTED)
    api_key: Optional[str] = field(default=None, metadata=NOT_DIGESTED)
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None
    json_mode: Optional[bool] = None
    extra: Optional[Dict[str, Any]] = None
    # Votes asked of this member; null: verifier.semantic.votes.
    votes: Optional[int] = None


@dataclass
class SemanticVerifierConfig:
    # Each judge is asked `votes` times; the candidate passes when the share of passing votes
    # (over all votes of all judges) is at least `pass_threshold`.
    votes: int = 1
    pass_threshold: float = 1.0
    # Extra attempts for one vote whose call failed or whose reply could not be read.
    retries: int = 2
    # Empty: the single `judge`. Otherwise several judges whose votes are pooled.
    committee: List[JudgeMemberConfig] = field(default_factory=list)


GROUNDING_MODES = ("flag", "reject", "reject_numbers", "reject_made_up")


@dataclass
class GroundingVerifierConfig:
    # What a call value not found in the query does (docs/VERIFICATION.md, Grounding):
    # "flag": the candidate passes and its verdict lists the value; "reject": ungrounded_value;
    # "reject_numbers": ungrounded_number when a number, date or time is untraced, other untraced
    # values (inferred strings) flagged; "reject_made_up" (measured best for the embedded model):
    # reject_numbers, plus ungrounded_call (a call with two or more values, none in the query) and
    # ungrounded_literal (an untraced string of 16+ characters sharing no word with the query).
    mode: str = "reject_made_up"


@dataclass
class SolverConfig(JudgeConfig):
    """The round-trip solver, resolved like the judge: every key left unset (null) is taken from
    ``llm``. Its first answer is greedy (temperature 0); ``temperature`` is for the others."""

    temperature: Optional[float] = 0.7


@dataclass
class RoundTripVerifierConfig:
    # The solver answers the candidate's query from the offered tools alone, k times; the candidate
    # passes when at least min_agree answers match its calls (apigen/matching).
    k: int = 2
    min_agree: int = 1
    solver: SolverConfig = field(default_factory=SolverConfig)


@dataclass
class NearDupVerifierConfig:
    # A candidate whose normalised query words and call skeleton (function names, argument keys)
    # have Jaccard similarity >= threshold with an example already kept is rejected
    # (near_duplicate). Measured by benchmarks/bench_near_dup.py (docs/VERIFICATION.md).
    threshold: float = 0.5


@dataclass
class DecontaminateVerifierConfig:
    # A candidate whose query shares this share of word pairs (of the longer text) with a BFCL
    # question is rejected (benchmark_overlap). Measured by benchmarks/bench_near_dup.py.
    threshold: float = 0.5


# Measured on the labelled BFCL set with the embedded model (docs/VERIFICATION.md): the round-trip
# solver separates correct from wrong rows; the small model's judge adds little at a high cost, so
# it is left to `verifier=with_judge` (hosted judges); grounding records untraced values (flag).
# near_dup and decontaminate are cheap (no model, no execution) and come right after dedup.
DEFAULT_STAGES = ["format", "dedup", "near_dup", "decontaminate", "execution", "grounding", "roundtrip"]


@dataclass
class VerifierConfig:
    # The stage chain, in order: each name is a module of apigen/verify/ (docs/VERIFICATION.md).
    # Cheap stages first; a candidate stops at its first rejection. Remove a name to switch the
    # stage off. `format` must come first: nothing else can check a reply that did not parse.
    stages: List[str] = field(default_factory=lambda: list(DEFAULT_STAGES))
    # Settings of the stages that have any.
    execution: ExecutionVerifierConfig = field(default_factory=ExecutionVerifierConfig)
    semantic: SemanticVerifierConfig = field(default_factory=SemanticVerifierConfig)
    grounding: GroundingVerifierConfig = field(default_factory=GroundingVerifierConfig)
    roundtrip: RoundTripVerifierConfig = field(default_factory=RoundTripVerifierConfig)
    near_dup: NearDupVerifierConfig = field(default_factory=NearDupVerifierConfig)
    decontaminate: DecontaminateVerifierConfig = field(default_factory=DecontaminateVerifierConfig)


MISSING_PARAMETER_ANSWERS = ("no_call", "clarify")


@dataclass
class DeriveConfig:
    """How derived relevance rows are made (the styles' weights are in ``sampler.styles``)."""

    # Tools of the catalog added to an irrelevance row whose offered tools were all needed by its
    # query (a simple row), drawn from the removed function's category first.
    distractors: RangeConfig = field(default_factory=lambda: RangeConfig(1, 3))
    # What the assistant answers a missing_parameter row: no call and no text, or no call and the
    # clarifying question the rewrite wrote (Example.assistant_text).
    missing_parameter_answer: str = "no_call"


@dataclass
class OutputConfig:
    # Extra export formats written next to the Hugging Face dataset (EXPORT_FORMATS; README.md,
    # "Training formats"): json (xlam-style list), jsonl, parquet (the same xlam rows), openai,
    # sharegpt, bfcl_python.
    formats: List[str] = field(default_factory=lambda: ["json"])
    progress: bool = True
    # Where stderr is not a terminal (logs, CI, batch jobs): one progress line per this many
    # seconds instead of a bar (apigen/progress.py).
    progress_interval_s: float = 30.0
    # The licence named in dataset/README.md (a Hugging Face licence id such as cc-by-4.0);
    # "unknown" until you choose one: the generator model's terms may restrict what you may pick.
    license: str = "unknown"
    # none: one dataset. by_api: a share (test_share) of the function names, drawn by a stable hash
    # of (split_seed, name), is held out; every row offering one of them goes to test.
    split: str = "none"
    test_share: float = 0.2
    split_seed: int = 0


@dataclass
class ShardConfig:
    """This process makes one shard of the run: sample index i belongs to shard i mod count. Sample
    ids and prompts are those of the unsharded run, so the shards' rows together are its rows
    (``python -m apigen.merge``). Not digested: shards of one run share their digests."""

    index: int = 0
    count: int = 1  # 1: unsharded


@dataclass
class Config:
    name: str = field(default="default", metadata=NOT_DIGESTED)
    num_samples: int = field(default=5, metadata=NOT_DIGESTED)
    seed: int = 0
    concurrency: int = field(default=4, metadata=NOT_DIGESTED)
    catalog: CatalogConfig = field(default_factory=CatalogConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    llm: LLMConfig = field(default_factory=LLMConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    verifier: VerifierConfig = field(default_factory=VerifierConfig)
    output: OutputConfig = field(default_factory=OutputConfig, metadata=NOT_DIGESTED)
    derive: DeriveConfig = field(default_factory=DeriveConfig)
    # Processes the samples are spread over (index i goes to process i mod workers), each with its
    # own event loop and concurrency/workers samples in flight: for when one core is saturated by
    # remote model calls (apigen/workers.py). 1: everything in this process.
    workers: int = field(default=1, metadata=NOT_DIGESTED)
    shard: ShardConfig = field(default_factory=ShardConfig, metadata=NOT_DIGESTED)


EXPORT_FORMATS = ("json", "jsonl", "parquet", "openai", "sharegpt", "bfcl_python")
OUTPUT_SPLITS = ("none", "by_api")


EVAL_SOURCES = ("bfcl", "run", "file")
EVAL_MODES = ("native", "prompt")
EVAL_SPLITS = ("test", "train", "all")


@dataclass
class EvalConfig:
    # What to evaluate on: bfcl (the categories below, from the bfcl-eval package's data), run (a
    # run directory's dataset/, see split), file (an xlam or OpenAI-format .json / .jsonl file).
    source: str = "bfcl"
    # BFCL categories (apigen/bfcl/data.py CATEGORIES; "simple" = simple_python).
    categories: List[str] = field(default_factory=lambda: ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance"])
    path: Optional[str] = None  # the run directory or file (source run / file)
    # Which rows of a run's dataset: the held-out test split, the rest (train) or all. The split
    # is a stable hash of each row's id, so it never changes as a dataset grows.
    split: str = "test"
    test_fraction: float = 0.2
    limit: Optional[int] = None  # at most this many items per category, a seeded sample; null: all
    # How the model is asked: native (tools= through litellm, the model's own tool-calling form)
    # or prompt (the template below renders the tools into the prompt; a JSON reply is parsed).
    mode: str = "native"
    template: str = "eval/answer.j2"
    execute: bool = True  # also run both call sets where the catalog can execute them


@dataclass
class EvalRunConfig:
    """``python -m apigen.eval`` (conf/evaluate.yaml): the model under test is ``llm``, with the
    same groups and settings as a generation run."""

    name: str = "eval"
    seed: int = 0
    concurrency: int = 4
    llm: LLMConfig = field(default_factory=LLMConfig)
    catalog: CatalogConfig = field(default_factory=CatalogConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    execution: ExecutionVerifierConfig = field(default_factory=ExecutionVerifierConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    progress: bool = True


class ConfigError(ValueError):
    """A configuration that composes but cannot work; the message names the key."""


def register_schemas() -> None:
    store = ConfigStore.instance()
    store.store(name="apigen_schema", node=Config)
    store.store(name="apigen_eval_schema", node=EvalRunConfig)
    # Typed bases that group files extend through their defaults list (llm/local.yaml,
    # judge/local.yaml): only these carry a `local` block of engine settings.
    store.store(group="llm", name="local_schema", node=LocalLLMConfig)
    store.store(group="judge", name="local_schema", node=LocalJudgeConfig)


def _check_range(key: str, rng: RangeConfig, minimum: int) -> None:
    if rng.min < minimum or rng.max < rng.min:
        raise ConfigError(f"{key}: need {minimum} <= min <= max, got min={rng.min} max={rng.max}")


def validate(cfg: Config) -> None:
    """Checks beyond types; raises ConfigError naming the offending key."""
    if cfg.num_samples < 0:
        raise ConfigError(f"num_samples: must be >= 0, got {cfg.num_samples}")
    if cfg.concurrency < 1:
        raise ConfigError(f"concurrency: must be >= 1, got {cfg.concurrency}")
    if cfg.workers < 1:
        raise ConfigError(f"workers: must be >= 1, got {cfg.workers}")
    if cfg.workers > 1 and cfg.sampler.feedback.round_size > 0:
        # A worker sees only its own rows, so its few-shot pool would differ from one process's.
        raise ConfigError("workers > 1 cannot be combined with sampler.feedback yet; use workers=1")
    if cfg.shard.count < 1:
        raise ConfigError(f"shard.count: must be >= 1 (1: unsharded), got {cfg.shard.count}")
    if not 0 <= cfg.shard.index < cfg.shard.count:
        raise ConfigError(f"shard.index: must be in [0, shard.count - 1] = [0, {cfg.shard.count - 1}], got {cfg.shard.index}")
    if cfg.shard.count > 1 and cfg.sampler.feedback.round_size > 0:
        # A shard grows its few-shot pool from its own rows only: its prompts would differ from one run's.
        raise ConfigError("shard.count > 1 cannot be combined with sampler.feedback yet")
    unknown = sorted(set(cfg.sampler.styles) - set(QUERY_STYLES) - set(DERIVED_STYLES))
    if unknown:
        raise ConfigError(f"sampler.styles: unknown style(s) {unknown}; known: {list(QUERY_STYLES + DERIVED_STYLES)}")
    if any(w < 0 for w in cfg.sampler.styles.values()) or not any(cfg.sampler.styles.get(s, 0) for s in QUERY_STYLES):
        raise ConfigError("sampler.styles: weights must be >= 0 and at least one base style "
                          f"{list(QUERY_STYLES)} must be > 0 (derived rows are made from base rows)")
    if cfg.sampler.styles.get("missing_parameter", 0) > 0 and not any(cfg.sampler.styles.get(s, 0) for s in ("simple", "multiple")):
        raise ConfigError("sampler.styles: missing_parameter rows are made from simple or multiple rows; give one of them a weight > 0")
    feedback = cfg.sampler.feedback
    if feedback.round_size < 0 or feedback.pool_size < 1 or not 0.0 <= feedback.share <= 1.0:
        raise ConfigError("sampler.feedback: need round_size >= 0 (0: off), pool_size >= 1 and share in [0, 1]")
    _check_range("derive.distractors", cfg.derive.distractors, 1)
    if cfg.derive.missing_parameter_answer not in MISSING_PARAMETER_ANSWERS:
        raise ConfigError(f"derive.missing_parameter_answer: must be one of {list(MISSING_PARAMETER_ANSWERS)}, "
                          f"got '{cfg.derive.missing_parameter_answer}'")
    if "relevance" in cfg.verifier.stages and cfg.verifier.stages[-1] != "relevance":
        raise ConfigError("verifier.stages: 'relevance' must be the last stage (it derives rows from candidates every other stage passed)")
    _check_range("sampler.apis_per_prompt", cfg.sampler.apis_per_prompt, 1)
    _check_range("sampler.examples_per_prompt", cfg.sampler.examples_per_prompt, 0)
    _check_range("sampler.queries_per_call", cfg.sampler.queries_per_call, 1)
    if not 0.0 <= cfg.sampler.same_category <= 1.0:
        raise ConfigError(f"sampler.same_category: must be in [0, 1], got {cfg.sampler.same_category}")
    if not cfg.prompt.generator:
        raise ConfigError("prompt.generator: needs at least one template")
    semantic = cfg.verifier.semantic
    if semantic.votes < 1:
        raise ConfigError(f"verifier.semantic.votes: must be >= 1, got {semantic.votes}")
    if not 0.0 < semantic.pass_threshold <= 1.0:
        raise ConfigError(f"verifier.semantic.pass_threshold: must be in (0, 1], got {semantic.pass_threshold}")
    if semantic.retries < 0:
        raise ConfigError(f"verifier.semantic.retries: must be >= 0, got {semantic.retries}")
    for i, member in enumerate(semantic.committee):
        if member.votes is not None and member.votes < 1:
            raise ConfigError(f"verifier.semantic.committee[{i}].votes: must be >= 1, got {member.votes}")
    roundtrip = cfg.verifier.roundtrip
    if not 1 <= roundtrip.min_agree <= roundtrip.k:
        raise ConfigError(f"verifier.roundtrip: need 1 <= min_agree <= k, got min_agree={roundtrip.min_agree} k={roundtrip.k}")
    stages = cfg.verifier.stages
    if not stages or stages[0] != "format":
        raise ConfigError(f"verifier.stages: must start with 'format' (a reply that did not parse cannot be checked further), got {stages}")
    if len(set(stages)) != len(stages):
        raise ConfigError(f"verifier.stages: a stage is listed twice in {stages}")
    if cfg.verifier.grounding.mode not in GROUNDING_MODES:
        raise ConfigError(f"verifier.grounding.mode: must be one of {list(GROUNDING_MODES)}, got '{cfg.verifier.grounding.mode}'")
    for key in ("near_dup", "decontaminate"):
        threshold = getattr(cfg.verifier, key).threshold
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(f"verifier.{key}.threshold: must be in (0, 1], got {threshold}")
    execution = cfg.verifier.execution
    if execution.timeout_s <= 0 or execution.workers < 1 or execution.memory_mb < 64:
        raise ConfigError("verifier.execution: need timeout_s > 0, workers >= 1, memory_mb >= 64")
    if execution.cpu_time_s < 0 or execution.max_result_chars < 1 or execution.max_output_chars < 0:
        raise ConfigError("verifier.execution: need cpu_time_s >= 0, max_result_chars >= 1, max_output_chars >= 0")
    if execution.max_processes < 0:
        raise ConfigError(f"verifier.execution.max_processes: must be >= 0 (0: no limit), got {execution.max_processes}")
    from apigen.llm.roles import local_models, role_configs  # resolves the judge over llm; imports this module

    roles = role_configs(cfg)
    for key, llm in roles:
        if llm.max_tokens < 1 or llm.timeout_s <= 0 or llm.max_retries < 0:
            raise ConfigError(f"{key}: need max_tokens >= 1, timeout_s > 0, max_retries >= 0")
        if llm.max_concurrency < 0 or llm.cooldown_after < 1 or llm.cooldown_s < 0 or \
                any(d.max_concurrency < 0 for d in llm.deployments):
            raise ConfigError(f"{key}: need max_concurrency >= 0 (also in deployments; 0: no limit), cooldown_after >= 1, "
                              "cooldown_s >= 0")
    local_models([llm for _, llm in roles])  # an unknown packaged model fails now (LocalModelError)
    bad_formats = sorted(set(cfg.output.formats) - set(EXPORT_FORMATS))
    if bad_formats:
        raise ConfigError(f"output.formats: unknown format(s) {bad_formats}; known: {list(EXPORT_FORMATS)}")
    if cfg.output.progress_interval_s <= 0:
        raise ConfigError(f"output.progress_interval_s: must be > 0, got {cfg.output.progress_interval_s}")
    if cfg.output.split not in OUTPUT_SPLITS:
        raise ConfigError(f"output.split: must be one of {list(OUTPUT_SPLITS)}, got '{cfg.output.split}'")
    if not 0.0 < cfg.output.test_share < 1.0:
        raise ConfigError(f"output.test_share: must be in (0, 1), got {cfg.output.test_share}")
