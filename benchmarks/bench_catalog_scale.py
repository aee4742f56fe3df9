"""Catalog scale: load time, start-up time and per-draw time for the built-in catalog (258 APIs)
and synthetic imported catalogs of 1,000 and 10,000 APIs. Goals (issue 11): 10,000 imported APIs
load in under 2 s; drawing a request costs the same whatever the catalog size.

    .venv/bin/python benchmarks/bench_catalog_scale.py [--sizes 1000 10000] [--draws 2000]

Synthetic catalogs are written to a temporary folder in the formats the importers read: xlam
tools (schemas built from the xlam type table) and OpenAI tools (user-written JSON Schema, meta
checked per shape). 40 categories, 1 to 5 parameters per tool. Columns: ``load`` is
load_catalog, ``start-up`` the whole build() of a run (catalog, digests, samplers, stages; no
model call), ``draw`` the mean time of RequestSampler.request over all styles, ``multi draw`` over
the multi-API styles only (the draws that pick k APIs from the whole catalog). Not a timed test:
it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from apigen.build import build  # noqa: E402
from apigen.catalog import load_catalog  # noqa: E402
from apigen.catalog.formats import to_openai_tool  # noqa: E402

from conftest import compose_config, fake_llm_overrides  # noqa: E402

_XLAM_TYPES = ["int", "str", "float", "bool", "List[int]", "str, optional", "Dict[str, Any]", "Union[int, str]",
               "List[str], optional", "float, optional"]


def xlam_tools(count: int) -> list[dict]:
    rng = random.Random(count)
    tools = []
    for i in range(count):
        params = {f"arg_{j}_{rng.randrange(1000)}": {"type": rng.choice(_XLAM_TYPES), "description": f"Argument {j} of tool {i}."}
                  for j in range(rng.randint(1, 5))}
        tools.append({"name": f"synthetic_tool_{i}", "description": f"Synthetic tool number {i}.",
                      "category": f"Category{i % 40}", "parameters": params})
    return tools


def write_catalogs(folder: Path, count: int) -> dict[str, Path]:
    """The same synthetic catalog as xlam tools and as OpenAI tools."""
    xlam = folder / f"xlam_{count}.json"
    xlam.write_text(json.dumps(xlam_tools(count)), encoding="utf-8")
    catalog = load_catalog([], [{"format": "xlam", "path": str(xlam)}])
    openai = folder / f"openai_{count}.json"
    openai.write_text(json.dumps([to_openai_tool(s.tool_schema(), s.category) for s in catalog.specs]), encoding="utf-8")
    return {"xlam": xlam, "openai": openai}


def _timed(fn):  # type: ignore[no-untyped-def]
    """(result, wall seconds, CPU seconds of this process): on a shared machine wall time includes
    waiting for a core, CPU time does not."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure(label: str, paths: list[str], sources: list[dict], draws: int) -> None:
    catalog, load_s, load_cpu = _timed(lambda: load_catalog(paths, sources))
    source_override = "catalog.sources=[" + ",".join(f"{{format: {s['format']}, path: '{s['path']}'}}" for s in sources) + "]"
    cfg = compose_config([*fake_llm_overrides("http://127.0.0.1:9"), f"catalog.paths=[{','.join(paths)}]", source_override])
    components, startup_s, startup_cpu = _timed(lambda: build(cfg))
    sampler = components.generator.sampler
    started = time.perf_counter()
    requests = [sampler.request(i) for i in range(draws)]
    draw_ms = (time.perf_counter() - started) / draws * 1000
    multi = [r.index for r in requests if r.style in ("multiple", "parallel_multiple")]
    started = time.perf_counter()
    for index in multi:
        sampler.request(index)
    multi_ms = (time.perf_counter() - started) / max(len(multi), 1) * 1000
    print(f"{label:<20}{len(catalog):>7}{load_s:>8.2f}{load_cpu:>8.2f}{startup_s:>10.2f}{startup_cpu:>8.2f}"
          f"{draw_ms:>10.3f}{multi_ms:>13.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--draws", type=int, default=2000)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    print(f"{'':<27}{'load s':>16}{'start-up s':>18}")
    print(f"{'catalog':<20}{'APIs':>7}{'wall':>8}{'cpu':>8}{'wall':>10}{'cpu':>8}{'draw ms':>10}{'multi draw ms':>14}")
    measure("built-in (python)", ["builtin:api_catalog"], [], args.draws)
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.sizes:
            files = write_catalogs(Path(tmp), count)
            for fmt, path in files.items():
                measure(f"synthetic ({fmt})", [], [{"format": fmt, "path": str(path)}], args.draws)


if __name__ == "__main__":
    main()
