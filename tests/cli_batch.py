"""Run many `apigen` command lines, each in its own process, paying the slow imports once.

Usage: ``python tests/cli_batch.py < cases.json``, where cases.json is a list of
``{"args": [...], "cwd": dir, "stdout": file, "stderr": file}``. This process imports
``apigen.runner`` (litellm alone takes seconds), then forks one child per case (two at a time);
the child runs the real entry point ``apigen.__main__.cli()`` with ``sys.argv`` set, its stdout and
stderr going to the case's files, and exits as the interpreter would: ``sys.exit(message)`` prints
the message and exits 1, an uncaught exception prints its traceback and exits 1. Prints one JSON
list of exit codes, in case order.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

WORKERS = 2


def _run_case(case: dict) -> None:
    """In the forked child: run the CLI once and exit with its status; never returns."""
    code = 1
    try:
        os.chdir(case["cwd"])
        for stream, name in ((1, "stdout"), (2, "stderr")):
            fd = os.open(case[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, stream)
            os.close(fd)
        sys.argv = ["apigen", *case["args"]]
        from apigen.__main__ import cli

        try:
            cli()
            code = 0
        except SystemExit as exc:  # what the interpreter does with an uncaught SystemExit
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    cases = json.load(sys.stdin)
    import apigen.__main__  # noqa: F401  (Hydra and the schemas)
    import apigen.runner  # noqa: F401  (the slow imports, done once before forking)

    codes: list[int | None] = [None] * len(cases)
    running: dict[int, int] = {}  # pid -> case index

    def reap_one() -> None:
        pid, status = os.wait()
        codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)

    for index, case in enumerate(cases):
        while len(running) >= WORKERS:
            reap_one()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _run_case(case)
        running[pid] = index
    while running:
        reap_one()
    print(json.dumps(codes))


if __name__ == "__main__":
    main()
