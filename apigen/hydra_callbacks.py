"""Hydra callbacks (``hydra.callbacks`` in conf/config.yaml).

``RunDirCheck`` creates and test-writes the run directory (``hydra.run.dir``, or
``hydra.sweep.dir`` for ``-m``) before Hydra does: Hydra creates it outside the task function,
so an unwritable one would end in Hydra's traceback instead of one line naming the key. The
directory is the one Hydra then uses: ``${now:...}`` is resolved once per composed config.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf


def check_writable(directory: Path, key: str) -> None:
    """Create ``directory`` and write a file in it, or exit with a message naming ``key``."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        sys.exit(f"apigen: error: {key}: cannot write to '{directory}' ({exc.strerror or exc})")


class RunDirCheck(Callback):
    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        run_dir = Path(str(OmegaConf.select(config, "hydra.run.dir")))
        check_writable(run_dir, "hydra.run.dir")
        subdir = OmegaConf.select(config, "hydra.output_subdir")
        if subdir is not None:  # Hydra saves the composed config there before the run starts
            check_writable(run_dir / str(subdir), "hydra.output_subdir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        check_writable(Path(str(OmegaConf.select(config, "hydra.sweep.dir"))), "hydra.sweep.dir")
