"""Every rejection reason code, in one table: stage, code, and what it means.

Codes are stable: they appear in verdicts.jsonl, the manifest and report.md, and users filter on
them. Add a code here before using it; ``describe`` gives the human message for a code and the
report prints it next to the counts. ``docs/VERIFICATION.md`` renders the same table.
"""

from __future__ import annotations

from typing import NamedTuple


class Reason(NamedTuple):
    stage: str
    code: str
    meaning: str


REASONS: tuple[Reason, ...] = (
    # Stage 1: parsing the generator's reply (parse_completion) ...
    Reason("format", "invalid_json", "the generator reply is not JSON"),
    Reason("format", "truncated", "the generator reply hit max_tokens before it ended"),
    Reason("format", "missing_field", "a pair or call lacks 'query', 'answers', 'name' or 'arguments'"),
    Reason("format", "wrong_field_type", "a field of the reply has the wrong JSON type"),
    # ... and checking each candidate (FormatChecker).
    Reason("format", "empty_query", "the query is empty or blank"),
    Reason("format", "copied_example", "the query mostly repeats a few-shot example's query"),
    Reason("format", "no_calls", "the answer holds no function call"),
    Reason("format", "unknown_function", "a call names a function that was not offered"),
    Reason("format", "duplicate_call", "a call repeats an earlier call exactly (and the query asks for no repeats)"),
    Reason("format", "unknown_argument", "a call passes an argument the function does not declare"),
    Reason("format", "missing_required_argument", "a call omits a required argument"),
    Reason("format", "wrong_argument_type", "an argument (or a nested value) has the wrong JSON type"),
    Reason("format", "invalid_enum_value", "an argument is not one of the allowed enum values"),
    Reason("format", "constraint_violation", "an argument breaks a numeric, length or pattern constraint"),
    Reason("format", "schema_violation", "an argument breaks another JSON-Schema rule (anyOf, ...)"),
    Reason("format", "placeholder_value", "an argument is a template placeholder, not a real value"),
    Reason("format", "call_count_mismatch", "the number of calls does not fit the query style"),
    Reason("format", "checker_error", "the format checker itself failed (a bug; the candidate is rejected)"),
    # The dedup stage (DedupStage).
    Reason("dedup", "duplicate_query", "the same query (ignoring case and spacing) was already kept"),
    # The near-duplicate stage (NearDupStage) and the benchmark decontamination stage (DecontaminateStage).
    Reason("near_dup", "near_duplicate", "the query and call skeleton are nearly those of an example already kept "
           "(Jaccard similarity at or above verifier.near_dup.threshold; the detail names the example)"),
    Reason("decontaminate", "benchmark_overlap", "the query repeats a BFCL question (word n-gram overlap at or above "
           "verifier.decontaminate.threshold; the detail names the BFCL item)"),
    # Merging shards (apigen/merge.py): counted in a merge's totals, never by a run.
    Reason("merge", "cross_shard_duplicate", "another shard kept the same query for an earlier sample; dropped by the merge"),
    # The grounding stage (GroundingStage; in the default chain in mode reject_made_up).
    Reason("grounding", "ungrounded_value", "a call value is not found in the query (verifier.grounding.mode=reject)"),
    Reason("grounding", "ungrounded_number", "a number or date in a call is not found in the query "
           "(verifier.grounding.mode=reject_numbers or reject_made_up)"),
    Reason("grounding", "ungrounded_call", "a call has two or more values and none is found in the query "
           "(verifier.grounding.mode=reject_made_up)"),
    Reason("grounding", "ungrounded_literal", "an untraced string of 16 or more characters shares no word with the "
           "query (verifier.grounding.mode=reject_made_up)"),
    Reason("grounding", "checker_error", "the grounding check itself failed (a bug; the candidate is rejected)"),
    # Stage 2: running every call (ExecutionStage, apigen/execution: SandboxPool, supervisor, sandbox_worker, HttpExecutor).
    Reason("execution", "unknown_function", "the called function is not in the catalog"),
    Reason("execution", "not_executable", "the API has no executor that can run here (kind 'none', ...)"),
    Reason("execution", "bad_argument_type", "the function raised TypeError (wrong argument type or name)"),
    Reason("execution", "invalid_value", "the function raised ValueError, KeyError or IndexError"),
    Reason("execution", "runtime_error", "the function raised another exception"),
    Reason("execution", "recursion_limit", "the function recursed past Python's recursion limit"),
    Reason("execution", "timeout", "no result within the wall-clock timeout; the worker was killed"),
    Reason("execution", "cpu_limit", "the call used more CPU time than its limit (RLIMIT_CPU)"),
    Reason("execution", "memory_limit", "the call ran out of its address-space limit (RLIMIT_AS)"),
    Reason("execution", "output_too_large", "the result or the printed output is over its cap"),
    Reason("execution", "exited", "the function called sys.exit / os._exit"),
    Reason("execution", "crashed", "the worker process died by a signal (segfault, abort, kill), seen from its exit status"),
    Reason("execution", "process_limit", "the call had more processes running at once than max_processes (a fork bomb); all were killed"),
    Reason("execution", "network_blocked", "the function tried to use the network without permission"),
    Reason("execution", "http_error", "an HTTP executor's endpoint answered with an error"),
    Reason("execution", "host_not_allowed", "an HTTP call's host is not in the API's allowed_hosts"),
    Reason("execution", "connection_error", "an HTTP executor could not reach its endpoint"),
    Reason("execution", "invalid_header", "an HTTP call's header argument holds a control character (CR/LF, ...); not sent"),
    Reason("execution", "sandbox_error", "the sandbox itself failed (bad request, broken reply)"),
    # Stage 3: the LLM judge (SemanticJudge).
    Reason("semantic", "judge_rejected", "too few judge votes passed the candidate"),
    Reason("semantic", "judge_error", "judge calls failed (after retries, or refused), so no vote could be read; "
           "a rerun asks again when they failed after retries"),
    Reason("semantic", "judge_unparseable", "judge replies could not be read, after retries"),
    # The round-trip stage (RoundTripStage): a solver answers the query without seeing the calls.
    Reason("roundtrip", "solver_disagrees", "too few solver answers match the candidate's calls (the detail names the first mismatch)"),
    Reason("roundtrip", "solver_error", "no solver answer could be had or read, after retries; "
           "a rerun asks again when solver calls failed after retries"),
    # The relevance stage (RelevanceStage): derived rows whose right answer is no call.
    Reason("relevance", "no_distractors", "an irrelevance row has no tool left to offer (the catalog has no other API)"),
    Reason("relevance", "no_removable_value", "a missing_parameter source row has no required text or number value its query states"),
    Reason("relevance", "rewrite_error", "the rewrite call failed (after retries, or refused); a rerun asks again when it failed after retries"),
    Reason("relevance", "rewrite_unusable", "the rewrite reply could not be read, or lacks the query (or the clarifying question)"),
    Reason("relevance", "value_still_in_query", "the rewritten query still states the value it had to leave out"),
    Reason("relevance", "derived_row_invalid", "the derived row fails the format check (empty or copied query)"),
    Reason("relevance", "tool_still_serves", "irrelevance: a solver answer calls one of the remaining tools"),
    Reason("relevance", "solver_still_calls", "missing_parameter: a solver answer still makes a call (the value may still be implied)"),
    Reason("relevance", "solver_error", "too few solver answers could be had or read to say no call is right; "
           "a rerun asks again when solver calls failed after retries"),
)

_BY_KEY = {(r.stage, r.code): r for r in REASONS}
CODES = frozenset(r.code for r in REASONS)


def describe(stage: str, code: str) -> str:
    """The human message for a code; unknown codes say so instead of failing."""
    reason = _BY_KEY.get((stage, code))
    return reason.meaning if reason else "(undocumented reason code)"


def markdown_table() -> str:
    rows = ["| Stage | Code | Meaning |", "|---|---|---|"]
    rows += [f"| {r.stage} | `{r.code}` | {r.meaning} |" for r in REASONS]
    return "\n".join(rows)
