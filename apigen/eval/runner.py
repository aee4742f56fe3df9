"""One evaluation run: load the items, ask the model, score every answer, and write
``results.jsonl`` (one line per item, appended as it finishes, so a killed run resumes),
``summary.md`` and ``manifest.json`` into the run directory."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from apigen.bfcl.data import VERSION as BFCL_VERSION
from apigen.catalog.loader import load_catalog
from apigen.config import EVAL_MODES, EVAL_SOURCES, EVAL_SPLITS, ConfigError, EvalRunConfig
from apigen.eval.answer import ModelAnswer, ask_native, ask_prompt
from apigen.eval.items import EvalItem, bfcl_items, file_items, in_test_split, run_items, sample
from apigen.eval.score import Score, executable, score_ast, score_execution
from apigen.eval.table import render, summarize
from apigen.execution import ExecutionService, SandboxPool
from apigen.llm.client import LLMClient
from apigen.llm.roles import is_local
from apigen.manifest import versions
from apigen.paths import resolve_path
from apigen.prompting import PromptRenderer
from apigen.records import ApiSpec, Record, Usage
from apigen.redact import redact_overrides
from apigen.store import append_record, open_append, write_json_atomic

RESULTS, SUMMARY, MANIFEST = "results.jsonl", "summary.md", "manifest.json"


class EvalResumeMismatch(RuntimeError):
    """The run directory holds results of other settings."""


@dataclass(frozen=True)
class EvalResult(Record):
    """One line of results.jsonl."""

    id: str
    category: str
    query: str
    answer: ModelAnswer
    score: Score
    expected: tuple[dict[str, dict[str, list[Any]]], ...]


def validate_eval(cfg: EvalRunConfig) -> None:
    e = cfg.eval
    for key, value, known in (("source", e.source, EVAL_SOURCES), ("mode", e.mode, EVAL_MODES), ("split", e.split, EVAL_SPLITS)):
        if value not in known:
            raise ConfigError(f"eval.{key}: must be one of {list(known)}, got '{value}'")
    if e.source != "bfcl" and not e.path:
        raise ConfigError(f"eval.path: source '{e.source}' needs a path (eval.path=...)")
    if not 0.0 < e.test_fraction < 1.0:
        raise ConfigError(f"eval.test_fraction: must be in (0, 1), got {e.test_fraction}")
    if e.limit is not None and e.limit < 1:
        raise ConfigError(f"eval.limit: must be >= 1 or null, got {e.limit}")
    if cfg.concurrency < 1:
        raise ConfigError(f"concurrency: must be >= 1, got {cfg.concurrency}")


def settings(cfg: EvalRunConfig) -> dict[str, Any]:
    """What decides the results: a run directory resumes only under the same settings."""
    e = cfg.eval
    return {"model": cfg.llm.model, "temperature": cfg.llm.temperature, "max_tokens": cfg.llm.max_tokens, "mode": e.mode,
            "template": e.template if e.mode == "prompt" else None, "source": e.source, "path": e.path,
            "categories": list(e.categories) if e.source == "bfcl" else None, "split": e.split if e.source == "run" else None,
            "test_fraction": e.test_fraction if e.source == "run" else None, "limit": e.limit, "seed": cfg.seed,
            "execute": e.execute}


def load_items(cfg: EvalRunConfig, catalog: dict[str, ApiSpec]) -> list[EvalItem]:
    e = cfg.eval
    if e.source == "bfcl":
        items = bfcl_items(list(e.categories))
    elif e.source == "run":
        items = run_items(resolve_path(str(e.path)), catalog)
        if e.split != "all":
            items = [i for i in items if in_test_split(i.id, e.test_fraction) == (e.split == "test")]
    else:
        items = file_items(resolve_path(str(e.path)))
    return sample(items, e.limit, cfg.seed)


def _read_done(path: Path) -> dict[str, EvalResult]:
    """The results on disk by item id, the last line of an id winning (a retried item)."""
    done: dict[str, EvalResult] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                result = EvalResult.from_json(line)
            except (ValueError, TypeError, KeyError):
                continue  # a line cut by a kill: that item is answered again
            done[result.id] = result
    return done


class Evaluation:
    def __init__(self, cfg: EvalRunConfig, out_dir: Path):
        self.cfg, self.out_dir = cfg, out_dir
        validate_eval(cfg)
        self.catalog: dict[str, ApiSpec] = {}
        # The catalog gives a run's items their executable specs and runs the calls of execution
        # match; BFCL's functions are not ours, so a BFCL evaluation needs neither.
        if cfg.eval.source == "run" or (cfg.eval.source == "file" and cfg.eval.execute):
            self.catalog = {s.name: s for s in load_catalog(cfg.catalog.paths, cfg.catalog.sources).specs}
        self.items = load_items(cfg, self.catalog)
        self.client = LLMClient(cfg.llm, role="model under test")
        self.renderer = PromptRenderer(cfg.prompt.search_path) if cfg.eval.mode == "prompt" else None
        if self.renderer is not None:
            self.renderer.check(cfg.eval.template)
        self.usage = Usage()

    def _check_resume(self) -> None:
        manifest = self.out_dir / MANIFEST
        if not manifest.exists():
            return
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8")).get("settings")
        except (ValueError, AttributeError):
            raise EvalResumeMismatch(f"{manifest} is damaged; evaluate into a new directory") from None
        current = settings(self.cfg)
        if previous != current:
            changed = sorted(k for k in current if (previous or {}).get(k) != current[k])
            raise EvalResumeMismatch(f"{self.out_dir} holds an evaluation with other settings ({', '.join(changed)}); "
                                     "evaluate into a new directory")

    async def _one(self, item: EvalItem, service: ExecutionService | None) -> EvalResult:
        if self.cfg.eval.mode == "native":
            answer = await ask_native(self.client, item)
        else:
            assert self.renderer is not None
            answer = await ask_prompt(self.client, self.renderer, self.cfg.eval.template, item)
        score = score_ast(item, answer)
        if service is not None and executable(item, self.catalog) and not answer.error:
            executed, detail = await score_execution(service, self.catalog, item, answer)
            score = Score(**{**asdict(score), "executed": executed, "execution_detail": detail})
        return EvalResult(item.id, item.category, item.query, answer, score, item.answers)

    async def _run(self, todo: list[EvalItem], bar: tqdm, results_file: IO[bytes]) -> None:
        service = None
        if self.cfg.eval.execute and any(executable(i, self.catalog) for i in todo):
            service = ExecutionService(SandboxPool.from_config(self.cfg.execution))
        if todo:
            await self.client.preflight()  # a dead endpoint or a missing key stops now, naming the URL
        queue = iter(todo)
        right = 0

        async def worker() -> None:
            nonlocal right
            for item in queue:
                result = await self._one(item, service)
                append_record(results_file, result)
                self.usage = self.usage + result.answer.usage
                right += result.score.ast
                bar.update(1)
                bar.set_postfix(correct=right, refresh=False)

        try:
            await asyncio.gather(*(worker() for _ in range(self.cfg.concurrency)))
        finally:
            if service is not None:
                await service.close()

    def run(self, overrides: list[str]) -> dict[str, Any]:
        started, started_at = time.perf_counter(), dt.datetime.now().isoformat(timespec="seconds")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._check_resume()
        results_path = self.out_dir / RESULTS
        done = {k: r for k, r in _read_done(results_path).items() if not r.answer.error}  # failed calls are asked again
        todo = [i for i in self.items if i.id not in done]
        if done:
            print(f"Resuming in {self.out_dir}: {len(self.items) - len(todo)} of {len(self.items)} items already answered.", file=sys.stderr)
        if todo and is_local(self.cfg.llm.model):
            from apigen.llm.local import register_local_provider

            register_local_provider([self.cfg.llm])
        self._write_manifest("running", started_at, 0.0, overrides, None)
        bar = tqdm(total=len(self.items), initial=len(self.items) - len(todo), unit="item", desc="apigen.eval",
                   disable=not self.cfg.progress, file=sys.stderr, dynamic_ncols=True)
        status = "failed"
        try:
            with open_append(results_path) as results_file:
                asyncio.run(self._run(todo, bar, results_file))
            status = "completed"  # or "incomplete" below, when a model call failed after its retries
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            bar.close()
            wanted = {i.id for i in self.items}
            finished = [r for r in _read_done(results_path).values() if r.id in wanted]
            if status == "completed" and any(r.answer.error for r in finished):
                status = "incomplete"
            summary = summarize((r.category, r.score) for r in finished)
            (self.out_dir / SUMMARY).write_text(render(summary, self.title()) + "\n", encoding="utf-8")
            manifest = self._write_manifest(status, started_at, time.perf_counter() - started, overrides, summary)
        return manifest

    def title(self) -> str:
        e = self.cfg.eval
        what = {"bfcl": f"BFCL (bfcl-eval {BFCL_VERSION})", "run": f"{e.path} ({e.split} split)", "file": str(e.path)}[e.source]
        return f"{self.cfg.llm.model} on {what}, mode {e.mode}" + (f", at most {e.limit} per category (seed {self.cfg.seed})" if e.limit else "")

    def _write_manifest(self, status: str, started_at: str, wall_s: float, overrides: list[str],
                        summary: dict[str, Any] | None) -> dict[str, Any]:
        manifest = {
            "kind": "evaluation", "status": status, "title": self.title(), "settings": settings(self.cfg),
            "items": len(self.items), "summary": summary, "usage": self.usage.to_dict(),
            "started_at": started_at, "wall_s": round(wall_s, 2), "cores": os.cpu_count(),
            "versions": {**versions(), "bfcl_data": BFCL_VERSION}, "overrides": redact_overrides(overrides),
        }
        write_json_atomic(self.out_dir / MANIFEST, manifest)
        return manifest
