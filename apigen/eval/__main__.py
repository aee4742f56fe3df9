"""``python -m apigen.eval [overrides]``: evaluate ``llm`` (any litellm model, the embedded one by
default) on BFCL's categories, a run's held-out split or a file (conf/evaluate.yaml, group
``eval``). Results land in ``outputs/eval/<name>/<date_time>/``; docs/EVALUATION.md explains them."""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from apigen.config import EvalRunConfig, register_schemas
from apigen.exit_codes import for_statuses
from apigen.paths import config_dir

register_schemas()

_USER_ERRORS = ("ConfigError", "EvalDataError", "BfclDataError", "EvalResumeMismatch", "CatalogError", "PromptError",
                "LLMFatalError", "LocalModelError", "SpecError")


@hydra.main(config_path=str(config_dir()), config_name="evaluate", version_base="1.3")
def main(dcfg: DictConfig) -> None:
    from apigen.eval.runner import Evaluation  # imported here so that --help and composition errors stay fast

    try:
        cfg: EvalRunConfig = OmegaConf.to_object(dcfg)  # type: ignore[assignment]
    except OmegaConfBaseException as exc:
        sys.exit(f"apigen.eval: configuration error: {exc}")
    hydra_cfg = HydraConfig.get()
    try:
        evaluation = Evaluation(cfg, Path(hydra_cfg.runtime.output_dir))
        manifest = evaluation.run(list(hydra_cfg.overrides.task))
    except KeyboardInterrupt:
        sys.exit(f"apigen.eval: interrupted; the answers so far are kept: rerun with hydra.run.dir={hydra_cfg.runtime.output_dir} to go on")
    except Exception as exc:
        if type(exc).__name__ in _USER_ERRORS:
            sys.exit(f"apigen.eval: error: {exc}")
        raise
    print((Path(hydra_cfg.runtime.output_dir) / "summary.md").read_text(encoding="utf-8"))
    print(f"Per-item results: {Path(hydra_cfg.runtime.output_dir) / 'results.jsonl'}")
    sys.exit(for_statuses([manifest["status"]]))


if __name__ == "__main__":
    main()
