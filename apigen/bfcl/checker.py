"""BFCL's own AST checker, imported offline from the ``bfcl-eval`` package (installed with
``--no-deps``), to check our matcher against it.

``bfcl_eval.eval_checker.ast_eval.ast_checker`` imports ``bfcl_eval.constants.model_config``,
which imports every provider SDK; the checker only reads ``MODEL_CONFIG_MAPPING[model]
.underscore_to_dot`` from it (whether a model wrote ``math_factorial`` for ``math.factorial``).
A small stub module stands in for it: our answers keep the original names, so that flag is
always False.
"""

from __future__ import annotations

import sys
import types
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cache
from types import SimpleNamespace
from typing import Any

from apigen.bfcl.data import INSTALL_HINT, PACKAGE, BfclDataError, BfclItem
from apigen.records import ToolCall

_STUBBED = "bfcl_eval.constants.model_config"
MODEL_NAME = "apigen"  # any name: the stub answers underscore_to_dot=False for all


@cache
def _checker() -> tuple[Callable[..., dict[str, Any]], Any]:
    if _STUBBED not in sys.modules:
        stub = types.ModuleType(_STUBBED)
        stub.MODEL_CONFIG_MAPPING = defaultdict(lambda: SimpleNamespace(underscore_to_dot=False))  # type: ignore[attr-defined]
        sys.modules[_STUBBED] = stub
    try:
        from bfcl_eval.constants.enums import Language
        from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker
    except ImportError as exc:
        raise BfclDataError(f"BFCL's checker cannot be imported from {PACKAGE} ({exc}). Fix: {INSTALL_HINT}") from None
    return ast_checker, Language.PYTHON


def bfcl_verdict(item: BfclItem, calls: Sequence[ToolCall]) -> tuple[bool, str]:
    """(valid, BFCL's error type) of ``calls`` as an answer to ``item`` (an AST category), by
    bfcl-eval's own ``ast_checker``. An exception inside the checker counts as invalid."""
    checker, python = _checker()
    output = [{call.name: dict(call.arguments)} for call in calls]
    try:
        result = checker(list(item.raw_functions), output, list(item.ground_truth), python, item.category, MODEL_NAME)
    except Exception as exc:  # the checker's own crash on odd output is a rejection, as in BFCL's runner
        return False, f"checker_exception:{type(exc).__name__}"
    return bool(result["valid"]), "" if result["valid"] else str(result.get("error_type", ""))
