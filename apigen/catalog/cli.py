"""The catalog commands: ``list`` (names and categories, ``--json`` for specs), ``stats``
(APIs per category) and ``check`` (run every example call; exit 1 on any failure)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from apigen.catalog.importers import FORMATS
from apigen.catalog.loader import Catalog, CatalogError, load_catalog


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--path", action="append", default=None,
                        help="catalog source: a file or folder, relative to the working directory or builtin:REL "
                             "(repeatable; default: builtin:api_catalog, the built-in catalog)")
    common.add_argument("--format", default="auto", choices=["auto", *FORMATS],
                        help="format of every --path: auto (.py modules, .json standard specs) or an importer")
    common.add_argument("--allowed-host", action="append", default=[], dest="allowed_hosts",
                        help="for --format openapi: a host the HTTP executor may call (repeatable)")
    common.add_argument("--category", default=None, help="category for imported entries that name none")
    common.add_argument("--categories", default="", help="comma-separated categories to keep")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", parents=[common], help="API names and categories")
    listing.add_argument("--json", action="store_true", help="print the full specs as JSON")
    sub.add_parser("stats", parents=[common], help="number of APIs per category")
    check = sub.add_parser("check", parents=[common], help="run every example call and compare results")
    check.add_argument("--workers", type=int, default=2)
    check.add_argument("--timeout", type=float, default=20.0)
    return parser


def _load(args: argparse.Namespace) -> Catalog:
    paths = args.path or ["builtin:api_catalog"]
    strict = args.command == "check"  # the check command meta-checks every schema, however it was built
    if args.format == "auto":
        catalog = load_catalog(paths, strict=strict)
    else:
        sources = [{"format": args.format, "path": p, "allowed_hosts": args.allowed_hosts,
                    "category": args.category} for p in paths]
        catalog = load_catalog([], sources=sources, strict=strict)
    categories = [c for c in args.categories.split(",") if c.strip()]
    return catalog.select(categories) if categories else catalog


def _list(catalog: Catalog, as_json: bool) -> int:
    if as_json:
        print(json.dumps([s.to_dict() for s in catalog.specs], indent=2, ensure_ascii=False))
        return 0
    width = max(len(n) for n in catalog.names)
    for spec in sorted(catalog.specs, key=lambda s: (s.category, s.name)):
        print(f"{spec.name:<{width}}  {spec.category}")
    return 0


def _stats(catalog: Catalog) -> int:
    groups = catalog.by_category()
    for category in sorted(groups):
        print(f"{category:<16}{len(groups[category]):>5}")
    print(f"{'total':<16}{len(catalog):>5}  ({len(groups)} categories)")
    return 0


def _check(catalog: Catalog, workers: int, timeout: float) -> int:
    from apigen.catalog.check import check_catalog

    report = asyncio.run(check_catalog(catalog, workers=workers, timeout_s=timeout))
    for failure in report.failures:
        print(f"FAIL {failure.api} example {failure.index}: {failure.detail}")
    if report.not_executable:
        print(f"not executable (schema only, skipped): {len(report.not_executable)} API(s)")
    if report.without_examples:
        print(f"no example calls: {', '.join(report.without_examples)}")
    passed = len(report.outcomes) - len(report.failures)
    print(f"{passed}/{len(report.outcomes)} example calls passed across {len(catalog)} APIs")
    return 1 if report.failures else 0


def main(argv: list[str] | None = None, prog: str = "python -m apigen.catalog") -> int:
    args = _parser(prog).parse_args(argv)
    try:
        catalog = _load(args)
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "list":
        return _list(catalog, args.json)
    if args.command == "stats":
        return _stats(catalog)
    return _check(catalog, args.workers, args.timeout)
