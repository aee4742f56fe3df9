"""Stage 1, the format check: structure, offered functions, argument schemas, placeholder values
and the call count of the query style. No LLM, no execution. Every rejection carries a stable
reason code (apigen/verify/reasons.py) and a message naming the call and the argument."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator, validators

from apigen.catalog import Catalog
from apigen.records import DERIVED_STYLES, ApiSpec, Candidate, Verdict
from apigen.verify.chain import StageContext, StageEnv
from apigen.verify.copying import ExampleEcho
from apigen.verify.placeholders import find_placeholder
from apigen.verify.repetition import asks_for_repeats


def _is_integer(_checker: Any, value: Any) -> bool:
    # JSON Schema counts 1.0 as an integer; a Python function declared `int` should not get a float.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(_checker: Any, value: Any) -> bool:
    # An integer is acceptable where a number (float) is expected (the BFCL policy); a bool is not.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPE_CHECKER = Draft202012Validator.TYPE_CHECKER.redefine_many({"integer": _is_integer, "number": _is_number})
StrictValidator = validators.extend(Draft202012Validator, type_checker=_TYPE_CHECKER)

# jsonschema's keyword -> our reason code (apigen/verify/reasons.py); the first listed that fails
# is reported, so an unknown argument outranks a type error elsewhere in the same call.
_KEYWORD_CODES = (
    ("additionalProperties", "unknown_argument"),
    ("required", "missing_required_argument"),
    ("type", "wrong_argument_type"),
    ("enum", "invalid_enum_value"),
    ("const", "invalid_enum_value"),
    *((k, "constraint_violation") for k in (
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
        "pattern", "format", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties")),
)


def _closed(parameters: dict[str, Any]) -> dict[str, Any]:
    """Unknown arguments are an error unless the spec explicitly allows them."""
    schema = dict(parameters)
    schema.setdefault("additionalProperties", False)
    return schema


class FormatChecker:
    """The checks of stage 1 on one candidate, synchronously (it is pure computation)."""

    name = "format"

    def __init__(self, catalog: Catalog, example_queries: Iterable[str] = ()):
        self.catalog = catalog
        self.echo = ExampleEcho(example_queries)
        self._validators: dict[str, Any] = {}

    def _validator(self, spec: ApiSpec) -> Any:
        if spec.name not in self._validators:
            self._validators[spec.name] = StrictValidator(_closed(spec.parameters))
        return self._validators[spec.name]

    def _reject(self, candidate: Candidate, reason: str, detail: str) -> Verdict:
        return Verdict(candidate.candidate_id, "format", False, reason, detail)

    def verdict(self, candidate: Candidate) -> Verdict:
        try:
            return self._check(candidate)
        except Exception as exc:  # a checker bug must reject the candidate, not end the run
            return self._reject(candidate, "checker_error", f"{type(exc).__name__}: {exc}")

    async def check(self, candidate: Candidate, context: StageContext) -> Verdict:
        return self.verdict(candidate)

    def _check(self, candidate: Candidate) -> Verdict:
        if candidate.parse_error:
            return self._reject(candidate, candidate.parse_error, candidate.parse_detail)
        if not candidate.query.strip():
            return self._reject(candidate, "empty_query", "the query is empty")
        copied = self.echo.source_of(candidate.query)
        if copied is not None:
            return self._reject(candidate, "copied_example", f"the query repeats the few-shot example {copied!r}")
        if candidate.style in DERIVED_STYLES:  # a derived relevance row: the right answer is no call
            if candidate.calls:
                return self._reject(candidate, "call_count_mismatch",
                                    f"a {candidate.style} row's answer is no call, got {len(candidate.calls)} call(s)")
            return Verdict(candidate.candidate_id, "format", True)
        if not candidate.calls:
            return self._reject(candidate, "no_calls", "the answer holds no function call")
        seen: set[str] = set()
        repeats_asked = asks_for_repeats(candidate.query)
        for i, call in enumerate(candidate.calls):
            if call.name not in candidate.api_names or self.catalog.get(call.name) is None:
                return self._reject(candidate, "unknown_function",
                                    f"call {i}: '{call.name}' is not one of the offered functions {list(candidate.api_names)}")
            key = json.dumps([call.name, call.arguments], sort_keys=True)
            if key in seen and not repeats_asked:
                return self._reject(candidate, "duplicate_call", f"call {i}: '{call.name}' repeats an earlier call exactly")
            seen.add(key)
            verdict = self._check_arguments(candidate, i, call.name, call.arguments)
            if verdict is not None:
                return verdict
        return self._check_style(candidate) or Verdict(candidate.candidate_id, "format", True)

    def _check_arguments(self, candidate: Candidate, index: int, name: str, arguments: dict[str, Any]) -> Verdict | None:
        spec = self.catalog.get(name)
        assert spec is not None
        errors = list(self._validator(spec).iter_errors(arguments))
        if not errors:
            properties = spec.parameters.get("properties")
            properties = properties if isinstance(properties, dict) else {}
            for arg, value in arguments.items():
                found = find_placeholder(value, arg, properties.get(arg), query=candidate.query)
                if found:
                    return self._reject(candidate, "placeholder_value",
                                        f"call {index} '{name}': argument '{found[0]}' = {_short(found[1])} is {found[2]}")
            return None
        for keyword, code in _KEYWORD_CODES:
            for error in errors:
                if error.validator == keyword:
                    return self._reject(candidate, code, f"call {index} '{name}': {_describe(error)}")
        return self._reject(candidate, "schema_violation", f"call {index} '{name}': {_describe(errors[0])}")

    def _check_style(self, candidate: Candidate) -> Verdict | None:
        calls = candidate.calls
        names = {c.name for c in calls}
        style = candidate.style
        if style in ("simple", "multiple") and len(calls) != 1:
            return self._reject(candidate, "call_count_mismatch", f"a {style} query needs exactly one call, got {len(calls)}")
        if style == "parallel" and (len(calls) < 2 or len(names) != 1):
            return self._reject(candidate, "call_count_mismatch",
                                f"a parallel query needs two or more calls of one function, got {len(calls)} call(s) of {sorted(names)}")
        # BFCL: in parallel_multiple each offered function "will be invoked zero or more times",
        # so one function called twice is a valid answer; only the call count is checked.
        if style == "parallel_multiple" and len(calls) < 2:
            return self._reject(candidate, "call_count_mismatch",
                                f"a parallel_multiple query needs two or more calls, got {len(calls)} call(s) of {sorted(names)}")
        return None


def _short(value: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    return f"argument '{where}': {error.message}" if where else error.message


def build_stage(env: StageEnv) -> FormatChecker:
    return FormatChecker(env.catalog, example_queries=[e.query for e in env.examples.values()])
