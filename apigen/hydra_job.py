"""What every ``@hydra.main`` entry point (``apigen``, ``apigen.eval``) does first with its job.

Hydra has saved the composed config and the overrides under the job's ``.hydra/`` (and a
multirun's ``multirun.yaml``) before the task function runs: ``start_job`` redacts secrets in
those files, then turns the composed config into its typed schema, or exits with one line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from apigen.redact import redact_hydra_files


def start_job(dcfg: DictConfig, prog: str) -> tuple[Any, Path, list[str]]:
    """(the typed config, the job's output directory, its command-line overrides), with the
    secrets in Hydra's saved files redacted. The overrides are as given: whoever writes them
    redacts them (apigen.redact.redact_overrides)."""
    hydra_cfg = HydraConfig.get()
    redact_hydra_files(hydra_cfg.runtime.output_dir, hydra_cfg.output_subdir,
                       hydra_cfg.sweep.dir if hydra_cfg.mode == RunMode.MULTIRUN else None)
    try:
        cfg = OmegaConf.to_object(dcfg)
    except OmegaConfBaseException as exc:
        sys.exit(f"{prog}: configuration error: {exc}")
    return cfg, Path(hydra_cfg.runtime.output_dir), list(hydra_cfg.overrides.task)
