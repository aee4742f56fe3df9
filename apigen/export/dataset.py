"""dataset/ from the kept examples, in one streamed pass (rows go to disk one by one, never all
into memory): the Hugging Face dataset (``datasets.load_from_disk``) in the xlam shape, plus one
file per format of ``output.formats``. With a split by API every file comes once per split
(``openai.train.jsonl``, ``openai.test.jsonl``) and the Hugging Face dataset has the splits.
The caller (``RunStore.export_dataset``) gives a fresh staging folder and moves it into place."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from apigen.eval.items import category_of
from apigen.export.api_split import SPLITS, ApiSplit
from apigen.export.python_calls import NotPythonExpressible
from apigen.export.renderings import RENDERINGS, valid_unicode
from apigen.records import Example

# output.formats -> (rendering, file name). json, jsonl and parquet are the xlam rows.
FORMAT_FILES = {
    "json": ("xlam", "examples.json"),
    "jsonl": ("xlam", "examples.jsonl"),
    "parquet": ("xlam", "examples.parquet"),
    "openai": ("openai", "openai.jsonl"),
    "sharegpt": ("sharegpt", "sharegpt.jsonl"),
    "bfcl_python": ("bfcl_python", "bfcl_python.jsonl"),
}
EXPORT_COLUMNS = ("id", "query", "tools", "answers")
_LINE_FORMATS = ("jsonl", "openai", "sharegpt", "bfcl_python")  # written row by row in the pass


def file_name(fmt: str, split: str | None) -> str:
    """examples.jsonl, or examples.train.jsonl for a split (names the Hugging Face Hub reads as splits)."""
    name = FORMAT_FILES[fmt][1]
    if split is None:
        return name
    stem, ext = name.rsplit(".", 1)
    return f"{stem}.{split}.{ext}"


@dataclass
class ExportSummary:
    """What the export wrote, for the dataset card: rows per split, files with their row counts,
    rows a format could not express, and the mix of the kept rows."""

    split: ApiSplit | None
    rows: Counter[str] = field(default_factory=Counter)  # by split; "all" when not split
    files: dict[str, dict[str, int]] = field(default_factory=dict)  # format -> {file name: rows}
    left_out: Counter[str] = field(default_factory=Counter)  # format -> rows it cannot express
    styles: Counter[str] = field(default_factory=Counter)  # the query style each row was made for
    shapes: Counter[str] = field(default_factory=Counter)  # BFCL's categories of the answers
    functions: Counter[str] = field(default_factory=Counter)  # calls per function
    held_out: set[str] = field(default_factory=set)  # held-out functions that rows offer

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def count(self, example: Example, split: str) -> None:
        self.rows[split] += 1
        self.styles[example.style or "unknown"] += 1
        self.shapes[category_of(example.answers, len(example.tools))] += 1
        self.functions.update(c.name for c in example.answers)
        if self.split is not None:
            self.held_out.update(t["name"] for t in example.tools if self.split.held_out(t["name"]))


def write_dataset(examples: Iterable[Example], staging: Path, formats: Iterable[str], split: ApiSplit | None) -> ExportSummary:
    """Write every file into ``staging``; ``examples`` in export order (ids count from 0)."""
    formats = set(formats)
    splits: tuple[str | None, ...] = SPLITS if split else (None,)
    summary = ExportSummary(split)
    # The xlam jsonl is always written: the Hugging Face dataset is built from it.
    line_formats = ["jsonl", *(f for f in _LINE_FORMATS if f in formats and f != "jsonl")]
    written: Counter[tuple[str, str | None]] = Counter()
    with ExitStack() as stack:
        handles: dict[tuple[str, str | None], IO[str]] = {
            (fmt, s): stack.enter_context((staging / file_name(fmt, s)).open("w", encoding="utf-8"))
            for fmt in line_formats for s in splits}
        for row_id, example in enumerate(examples):
            example = valid_unicode(example)
            where = split.split_of(example) if split else None
            summary.count(example, where or "all")
            for fmt in line_formats:
                try:
                    row = RENDERINGS[FORMAT_FILES[fmt][0]](example, row_id)
                except NotPythonExpressible:
                    summary.left_out[fmt] += 1
                    continue
                handles[fmt, where].write(json.dumps(row, ensure_ascii=False) + "\n")
                written[fmt, where] += 1
    _write_hf_dataset(staging, splits, formats)
    if "jsonl" not in formats:
        for s in splits:
            (staging / file_name("jsonl", s)).unlink()
    for fmt in sorted(formats):
        rendering = FORMAT_FILES[fmt][0]
        summary.files[fmt] = {file_name(fmt, s): written["jsonl" if rendering == "xlam" else fmt, s] for s in splits}
    return summary


def _write_hf_dataset(staging: Path, splits: tuple[str | None, ...], formats: set[str]) -> None:
    """The Hugging Face dataset (a DatasetDict with a split), plus examples.json and parquet."""
    from datasets import Dataset, DatasetDict, Features, Value  # heavy import, only needed here
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    features = Features({"id": Value("int64"), "query": Value("string"), "tools": Value("string"), "answers": Value("string")})
    parts = {}
    for s in splits:
        rows_file = staging / file_name("jsonl", s)
        if rows_file.stat().st_size:
            part = Dataset.from_generator(_read_rows, features=features, gen_kwargs={"path": str(rows_file)},
                                          cache_dir=str(staging / ".cache"))
        else:  # the generator builder refuses an empty split; an empty one still gets the four columns
            part = Dataset.from_dict({c: [] for c in EXPORT_COLUMNS}, features=features)
        parts[s] = part
        if "json" in formats:
            _write_json_list(rows_file, staging / file_name("json", s))
        if "parquet" in formats:
            part.to_parquet(str(staging / file_name("parquet", s)))
    whole: Dataset | DatasetDict = parts[None] if None in parts else DatasetDict({str(s): d for s, d in parts.items()})
    whole.save_to_disk(str(staging / "hf"))
    del whole, parts
    for item in (staging / "hf").iterdir():
        os.replace(item, staging / item.name)
    shutil.rmtree(staging / "hf")
    shutil.rmtree(staging / ".cache", ignore_errors=True)


def _read_rows(path: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _write_json_list(rows_file: Path, target: Path) -> None:
    """examples.json: the rows as one JSON list (the xlam-60k file shape), written row by row."""
    with rows_file.open(encoding="utf-8") as rows, target.open("w", encoding="utf-8") as out:
        separator = "[\n"
        for line in rows:
            out.write(separator + json.dumps(json.loads(line), indent=1, ensure_ascii=False))
            separator = ",\n"
        out.write("[]\n" if separator == "[\n" else "\n]\n")
