"""``apigen`` / ``python -m apigen``: compose the Hydra config -> validate -> build every component
-> run. ``apigen catalog ...`` runs the catalog commands (``python -m apigen.catalog ...``)."""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from apigen.config import register_schemas
from apigen.exit_codes import for_statuses
from apigen.hydra_job import start_job
from apigen.paths import config_dir

register_schemas()

# Errors a user can fix from the message alone; anything else keeps its traceback.
_USER_ERRORS = ("ConfigError", "CatalogError", "PromptError", "SamplerError", "LLMFatalError",
                "ResumeMismatch", "LocalModelError", "SpecError", "StageError", "RunFileError",
                "WorkerError")
_statuses: list[str] = []  # how each run of this process ended (several in a multirun): the exit code


# An absolute config directory: conf/ inside the installed package, or at the repository root.
@hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")
def main(dcfg: DictConfig) -> None:
    from apigen.runner import run  # imported here so that --help and composition errors stay fast

    cfg, output_dir, overrides = start_job(dcfg, "apigen")
    try:
        _statuses.append(run(cfg, output_dir, overrides)["status"])
    except Exception as exc:
        if type(exc).__name__ in _USER_ERRORS:
            sys.exit(f"apigen: error: {exc}")
        raise


def cli() -> None:
    """The ``apigen`` console script. ``apigen catalog ARGS`` goes to the catalog commands,
    ``apigen merge ARGS`` to the merge of shards, ``apigen eval ARGS`` to the evaluation and
    ``apigen reverify ARGS`` to apigen.reverify before Hydra parses sys.argv (Hydra would read the word
    as an override); anything else is a run."""
    if sys.argv[1:2] == ["catalog"]:
        from apigen.catalog.cli import main as catalog_main

        sys.exit(catalog_main(sys.argv[2:], prog="apigen catalog"))
    if sys.argv[1:2] == ["merge"]:
        from apigen.merge import main as merge_main

        sys.exit(merge_main(sys.argv[2:], prog="apigen merge"))
    if sys.argv[1:2] == ["eval"]:
        from apigen.eval.__main__ import main as eval_main

        sys.argv = [f"{sys.argv[0]} eval", *sys.argv[2:]]
        eval_main()
        return
    if sys.argv[1:2] == ["reverify"]:
        from apigen.reverify import main as reverify_main

        sys.exit(reverify_main(sys.argv[2:], prog="apigen reverify"))
    main()
    sys.exit(for_statuses(_statuses))


if __name__ == "__main__":
    cli()
