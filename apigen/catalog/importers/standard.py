"""The standard JSON shape: a list of specs, or an object with an ``apis`` list. Python executors
are checked here, at load time: the target file must exist and define the function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apigen.catalog.spec import SpecError, spec_from_dict
from apigen.catalog.targets import target_problem
from apigen.records import ApiSpec


def import_standard_json(path: Path, *, category: str | None = None, **_: Any) -> list[ApiSpec]:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data if isinstance(data, list) else data.get("apis") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SpecError("?", "<document>", "expected a list of API specs or an object with 'apis'")
    if category:
        entries = [{"category": category, **e} if isinstance(e, dict) else e for e in entries]
    specs = [spec_from_dict(e, base_dir=str(path.parent)) for e in entries]
    for spec in specs:
        if spec.executor.kind == "python":
            problem = target_problem(Path(spec.executor.target), spec.executor.function)
            if problem:
                raise SpecError(spec.name, *problem)
    return specs
