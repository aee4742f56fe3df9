"""``python -m apigen.merge RUN_DIRS... [-o OUT]`` (or ``apigen merge``): the shards of one run
(``shard.index`` / ``shard.count``) as one dataset, one manifest and one report.

- Shards must come from one generation config and one verifier config (their digests), with one
  ``shard.count`` and distinct indexes; anything else is refused, naming the directories.
- Rows are streamed in the unsharded run's order (sample index, then position) from every shard
  at once; a query kept by an earlier sample of another shard makes a later copy a cross-shard
  duplicate, dropped (as the dedup stage of one run would have rejected it). Memory: the shards'
  kept-row offsets (as a run holds them) and one 16-byte digest per merged row.
- Shards are read, never written: a shard that is still running is read as far as it has got
  and reported incomplete, as is a shard directory not started yet and a missing shard index.
- The output depends only on the shards' files: merging again gives the same bytes.
"""

from __future__ import annotations

import argparse
import heapq
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigen.config import OutputConfig
from apigen.exit_codes import COMPLETED, ERROR, INCOMPLETE
from apigen.manifest import shard_of, usage_summary
from apigen.records import Example, Usage
from apigen.report import render_merge_report, render_table, stage_statistics
from apigen.store import CANDIDATES, DATASET, MANIFEST, RunFileError, RunState, RunStore, export_dataset
from apigen.verify.dedup import query_key

MERGE_KIND = "merge"  # manifest.json "kind" of a merge output (a run's manifest has none)
DUPLICATE = ("merge", "cross_shard_duplicate")  # (stage, reason) of a dropped cross-shard duplicate


class MergeError(ValueError):
    """Shards that cannot be merged; the message names the directories."""


@dataclass
class Shard:
    run_dir: Path
    manifest: dict[str, Any] | None  # None: the directory has no run yet (a job not started)
    state: RunState
    store: RunStore

    @property
    def started(self) -> bool:
        return self.manifest is not None

    @property
    def index(self) -> tuple[int, int]:
        assert self.manifest is not None
        return shard_of(self.manifest)

    @property
    def status(self) -> str:
        return str(self.manifest.get("status", "unknown")) if self.manifest else "not started"

    @property
    def requested(self) -> int:
        return int(self.manifest.get("samples", {}).get("requested", 0)) if self.manifest else 0

    @property
    def complete(self) -> bool:
        """The shard's run ended completed and every sample it owns is finished on disk."""
        return self.status == "completed" and len(self.state.finished) >= self.requested

    def digest(self, kind: str) -> str | None:
        return (self.manifest or {}).get("digests", {}).get(kind)


def _is_run_dir(path: Path) -> bool:
    return (path / MANIFEST).is_file() or (path / CANDIDATES).is_file()


def _is_merge_output(path: Path) -> bool:
    try:
        return (RunStore(path, create=False).read_manifest() or {}).get("kind") == MERGE_KIND
    except RunFileError:
        return False


def expand_run_dirs(paths: list[Path], output: Path | None) -> list[Path]:
    """The run directories named: a run directory itself, or a multirun sweep directory whose
    job folders (those with a run, or Hydra's ``.hydra/`` of a job not started yet) are taken.
    Files (a glob's ``multirun.yaml``) and merge outputs are skipped with a note."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise MergeError(f"{path}: no such directory")
        if not path.is_dir() or _is_merge_output(path) or (output is not None and path.resolve() == output.resolve()):
            print(f"apigen merge: skipping {path} (not a shard's run directory)", file=sys.stderr)
            continue
        if _is_run_dir(path) or (path / ".hydra").is_dir():
            found.append(path)
            continue
        jobs = sorted((p for p in path.iterdir() if p.is_dir() and (_is_run_dir(p) or (p / ".hydra").is_dir())
                       and not _is_merge_output(p)), key=lambda p: (len(p.name), p.name))
        if not jobs:
            raise MergeError(f"{path}: neither a run directory nor a sweep directory holding any")
        found.extend(jobs)
    if not found:
        raise MergeError("no run directories to merge")
    resolved = [p.resolve() for p in found]
    if len(set(resolved)) != len(resolved):
        raise MergeError("a run directory is named twice")
    return resolved


def read_shards(run_dirs: list[Path]) -> list[Shard]:
    """Read every shard (without writing to it) and check that they belong together."""
    shards = []
    for run_dir in run_dirs:
        store = RunStore(run_dir, create=False)
        manifest = store.read_manifest()
        shards.append(Shard(run_dir, manifest, store.scan() if manifest else RunState(), store))
    started = [s for s in shards if s.started]
    if not started:
        raise MergeError("none of the run directories has started a run yet (no manifest.json)")
    for kind, what in (("generation", "generation configs"), ("run", "verifier settings")):
        digests: dict[str | None, list[Path]] = {}
        for shard in started:
            digests.setdefault(shard.digest(kind), []).append(shard.run_dir)
        if len(digests) > 1:
            listing = "; ".join(f"{digest}: {', '.join(map(str, dirs))}" for digest, dirs in digests.items())
            raise MergeError(f"the shards come from different {what} ({kind} digests {listing}); "
                             "merge only the shards of one run")
    counts = {s.index[1] for s in started}
    if len(counts) > 1:
        raise MergeError(f"the shards were made with different shard.count values {sorted(counts)}; "
                         "merge only the shards of one run")
    seen: dict[int, Path] = {}
    for shard in started:
        index = shard.index[0]
        if index in seen:
            raise MergeError(f"{seen[index]} and {shard.run_dir} are both shard {index}: merge one directory per shard")
        seen[index] = shard.run_dir
    return shards


def _merged_examples(shards: list[Shard], dropped: Counter[Path]) -> Iterator[Example]:
    """Every shard's kept examples in the unsharded run's order, without cross-shard duplicates."""

    def tagged(shard: Shard) -> Iterator[tuple[int, int, Path, Example]]:
        for index, position, example in shard.store.kept_entries():
            yield index, position, shard.run_dir, example

    seen: set[bytes] = set()
    streams = [tagged(s) for s in shards if s.started and s.state.kept_rows]
    for _, _, run_dir, example in heapq.merge(*streams, key=lambda entry: (entry[0], entry[1])):
        key = query_key(example.query)
        if key in seen:
            dropped[run_dir] += 1
            continue
        seen.add(key)
        yield example


def _stages(shards: list[Shard]) -> list[str]:
    manifest = next(s.manifest for s in shards if s.manifest)
    return list(manifest.get("verifier", {}).get("stages", []))


def _shard_entry(shard: Shard, stages: list[str], dropped: int) -> dict[str, Any]:
    if not shard.started:
        return {"dir": str(shard.run_dir), "index": None, "status": shard.status, "complete": False}
    state = shard.state
    stats = stage_statistics(stages, state.generated, state.kept, state.rejected)
    return {
        "dir": str(shard.run_dir), "index": shard.index[0], "status": shard.status, "complete": shard.complete,
        "updated_at": shard.manifest.get("updated_at") if shard.manifest else None,
        "samples": {"requested": shard.requested, "finished": len(state.finished)},
        "cross_shard_duplicates": dropped,
        **{key: stats[key] for key in ("counts", "stages", "overall_pass_rate")},
    }


def build_merge_manifest(shards: list[Shard], rows: int, dropped: Counter[Path]) -> dict[str, Any]:
    """The merge's manifest: the shards (each with its own Table 1) and the totals, where the
    cross-shard duplicates are the rejections of a last stage, ``merge``."""
    started = [s for s in shards if s.started]
    first = started[0].manifest
    assert first is not None
    stages = _stages(shards)
    count = started[0].index[1]
    missing = sorted(set(range(count)) - {s.index[0] for s in started})
    rejected: Counter[tuple[str, str]] = Counter()
    usage: dict[str, Usage] = {}
    for shard in started:
        rejected.update(shard.state.rejected)
        for role, role_usage in shard.state.usage.items():
            usage[role] = usage.get(role, Usage()) + role_usage
    if sum(dropped.values()):
        rejected[DUPLICATE] += sum(dropped.values())
    generated = sum(s.state.generated for s in started)
    complete = not missing and all(s.complete for s in shards)
    return {
        "kind": MERGE_KIND,
        "name": first.get("name"),
        "status": "completed" if complete else "incomplete",
        "digests": first.get("digests", {}),
        "seed": first.get("seed"),
        "models": first.get("models"),
        "verifier": {"stages": stages},
        "shard_count": count,
        "missing_shards": missing,
        "shards": [_shard_entry(s, stages, dropped[s.run_dir]) for s in shards],
        "samples": {"requested": sum(s.requested for s in started), "finished": sum(len(s.state.finished) for s in started)},
        "rows": rows,
        **stage_statistics(stages, generated, rows, rejected),
        "usage": usage_summary(usage),
    }


def merge(run_dirs: list[Path], output: Path, formats: list[str]) -> dict[str, Any]:
    """Merge the shards in ``run_dirs`` into ``output`` (dataset/, manifest.json, report.md)."""
    shards = read_shards(run_dirs)
    dropped: Counter[Path] = Counter()
    out = RunStore(output)
    rows = 0

    def counted() -> Iterator[Example]:
        nonlocal rows
        for example in _merged_examples(shards, dropped):
            rows += 1
            yield example

    export_dataset(counted(), output / DATASET, formats)
    manifest = build_merge_manifest(shards, rows, dropped)
    out.write_manifest(manifest)
    out.write_text("report.md", render_merge_report(manifest))
    return manifest


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Merge the shards of one run into one dataset, "
                                     "one manifest.json and one report.md (docs/SCALE.md).")
    parser.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR",
                        help="a shard's run directory, or a multirun sweep directory (its job folders are taken)")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="where to write dataset/, manifest.json and report.md "
                             "(default: 'merged' beside the first run directory)")
    parser.add_argument("--formats", default=",".join(OutputConfig().formats),
                        help="extra export formats besides the Hugging Face dataset: json, jsonl, parquet (comma-separated)")
    return parser


def _shard_line(shard: dict[str, Any]) -> str:
    index = "?" if shard["index"] is None else shard["index"]
    done = shard.get("samples")
    progress = f", {done['finished']} of {done['requested']} samples" if done else ""
    return f"shard {index}: {shard['status']}{'' if shard['complete'] else ' (incomplete)'}{progress}  {shard['dir']}"


def main(argv: list[str] | None = None, prog: str = "python -m apigen.merge") -> int:
    args = _parser(prog).parse_args(argv)
    from apigen.config import EXPORT_FORMATS

    formats = [f for f in args.formats.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(EXPORT_FORMATS))
    try:
        if unknown:
            raise MergeError(f"--formats: unknown format(s) {unknown}; known: {list(EXPORT_FORMATS)}")
        run_dirs = expand_run_dirs(args.run_dirs, args.output)
        output = args.output or run_dirs[0].parent / "merged"
        if _is_run_dir(output) and not _is_merge_output(output):
            raise MergeError(f"{output} holds a run, which the merge would overwrite: choose another --output")
        manifest = merge(run_dirs, output, formats)
    except (MergeError, RunFileError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return ERROR
    for shard in manifest["shards"]:
        print(_shard_line(shard))
    for index in manifest["missing_shards"]:
        print(f"shard {index}: missing (no directory given)")
    print()
    print(render_table(manifest))
    print(f"\nMerged {manifest['rows']} row(s) from {len(manifest['shards'])} shard directory(ies) -> {output / DATASET}"
          f" ({manifest['status']})")
    return COMPLETED if manifest["status"] == "completed" else INCOMPLETE


if __name__ == "__main__":
    sys.exit(main())
