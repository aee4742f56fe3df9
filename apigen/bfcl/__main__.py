"""BFCL's data package, installed by name without its dependencies (only its data files are read).

    python -m apigen.bfcl install
    python -m apigen.bfcl path
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from apigen.bfcl.data import PACKAGE, VERSION, BfclDataError, data_dir


def install() -> None:
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", f"{PACKAGE}=={VERSION}"]
    print("Installing BFCL data:", " ".join(command[3:]))
    subprocess.run(command, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apigen.bfcl", description=f"BFCL data ({PACKAGE}=={VERSION}).")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help=f"pip install --no-deps {PACKAGE}=={VERSION}")
    sub.add_parser("path", help="print the installed data folder")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install()
        print(data_dir())
    except (BfclDataError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
