"""``apigen`` / ``python -m apigen``: compose the Hydra config -> validate -> build every component
-> run. ``apigen catalog ...`` runs the catalog commands (``python -m apigen.catalog ...``)."""

from __future__ import annotations

import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from apigen.config import Config, register_schemas
from apigen.exit_codes import for_statuses
from apigen.paths import config_dir
from apigen.redact import redact_hydra_files

register_schemas()

# Errors a user can fix from the message alone; anything else keeps its traceback.
_USER_ERRORS = ("ConfigError", "CatalogError", "PromptError", "SamplerError", "LLMFatalError",
                "ResumeMismatch", "LocalModelError", "SpecError", "StageError", "RunFileError")
_statuses: list[str] = []  # how each run of this process ended (several in a multirun): the exit code


# An absolute config directory: conf/ inside the installed package, or at the repository root.
@hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")
def main(dcfg: DictConfig) -> None:
    from apigen.runner import run  # imported here so that --help and composition errors stay fast

    hydra_cfg = HydraConfig.get()
    # Hydra saved the composed config and the overrides before this function runs: redact secrets now.
    redact_hydra_files(hydra_cfg.runtime.output_dir, hydra_cfg.output_subdir,
                       hydra_cfg.sweep.dir if hydra_cfg.mode == RunMode.MULTIRUN else None)
    try:
        cfg: Config = OmegaConf.to_object(dcfg)  # type: ignore[assignment]
    except OmegaConfBaseException as exc:
        sys.exit(f"apigen: configuration error: {exc}")
    try:
        _statuses.append(run(cfg, hydra_cfg.runtime.output_dir, list(hydra_cfg.overrides.task))["status"])
    except Exception as exc:
        if type(exc).__name__ in _USER_ERRORS:
            sys.exit(f"apigen: error: {exc}")
        raise


def cli() -> None:
    """The ``apigen`` console script. ``apigen catalog ARGS`` goes to the catalog commands and
    ``apigen eval ARGS`` to the evaluation before Hydra parses sys.argv (Hydra would read the word
    as an override); anything else is a run."""
    if sys.argv[1:2] == ["catalog"]:
        from apigen.catalog.cli import main as catalog_main

        sys.exit(catalog_main(sys.argv[2:], prog="apigen catalog"))
    if sys.argv[1:2] == ["eval"]:
        from apigen.eval.__main__ import main as eval_main

        sys.argv = [f"{sys.argv[0]} eval", *sys.argv[2:]]
        eval_main()
        return
    main()
    sys.exit(for_statuses(_statuses))


if __name__ == "__main__":
    cli()
