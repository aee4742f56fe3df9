"""``python -m apigen.eval [overrides]``: evaluate ``llm`` (any litellm model, the embedded one by
default) on BFCL's categories, a run's held-out split or a file (conf/evaluate.yaml, group
``eval``). Results land in ``outputs/eval/<name>/<date_time>/``; docs/EVALUATION.md explains them."""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from apigen.config import register_schemas
from apigen.exit_codes import for_statuses
from apigen.hydra_job import start_job
from apigen.paths import config_dir

register_schemas()

_USER_ERRORS = ("ConfigError", "EvalDataError", "BfclDataError", "EvalResumeMismatch", "CatalogError", "PromptError",
                "LLMFatalError", "LocalModelError", "SpecError")


@hydra.main(config_path=str(config_dir()), config_name="evaluate", version_base="1.3")
def main(dcfg: DictConfig) -> None:
    from apigen.eval.runner import RESULTS, SUMMARY, Evaluation  # imported here so that --help and composition errors stay fast

    cfg, output_dir, overrides = start_job(dcfg, "apigen.eval")
    try:
        manifest = Evaluation(cfg, output_dir).run(overrides)
    except KeyboardInterrupt:
        sys.exit(f"apigen.eval: interrupted; the answers so far are kept: rerun with hydra.run.dir={output_dir} to go on")
    except Exception as exc:
        if type(exc).__name__ in _USER_ERRORS:
            sys.exit(f"apigen.eval: error: {exc}")
        raise
    print((output_dir / SUMMARY).read_text(encoding="utf-8"))
    print(f"Per-item results: {output_dir / RESULTS}")
    sys.exit(for_statuses([manifest["status"]]))


if __name__ == "__main__":
    main()
