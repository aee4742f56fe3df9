"""A scripted generator for the fake server that writes valid pairs for whatever tools a prompt
offers, from the catalog's own example calls: every pair passes the format, execution and
round-trip stages, whatever the style, so a run's funnel depends only on what is measured.

Each query is unique (a letter code, so no number collides with an argument value) and states its
argument values, so grounding traces them and a missing-parameter rewrite can take one out.
"""

from __future__ import annotations

import itertools
import json
import re
import string
import threading
from collections.abc import Callable
from typing import Any

from apigen.catalog import Catalog

_STYLE = re.compile(r"Query style: (simple|multiple|parallel multiple|parallel)\.")
_TOOL = re.compile(r'\{"name": "([^"]+)", "description"')
_COUNT = re.compile(r'"pairs" holds exactly (\d+) item')


def _code(n: int) -> str:
    letters = string.ascii_lowercase
    code = ""
    for _ in range(4):
        n, digit = divmod(n, 26)
        code = letters[digit] + code
    return code


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def catalog_generator(catalog: Catalog) -> Callable[[dict], str]:
    """A generator script: (request) -> reply with the number of pairs and the style asked for."""
    counter, lock = itertools.count(), threading.Lock()

    def call(name: str, which: int = 0) -> dict[str, Any]:
        spec = catalog.get(name)
        assert spec is not None and spec.examples, name
        return {"name": name, "arguments": spec.examples[which % len(spec.examples)].arguments}

    def pair(style: str, names: list[str], k: int) -> dict[str, Any]:
        with lock:
            uid = _code(next(counter))
        if style == "parallel":
            spec = catalog.get(names[0])
            assert spec is not None
            calls = [call(names[0], 0), call(names[0], 1)]
            repeat = " Do it twice." if len(spec.examples) < 2 else ""
        elif style == "parallel multiple":
            calls, repeat = [call(names[0]), call(names[1])], ""
        else:
            calls, repeat = [call(names[k % len(names)])], ""
        values = "; ".join(", ".join(_show(v) for v in c["arguments"].values()) for c in calls)
        return {"query": f"Case {uid}: {values}.{repeat}", "answers": calls}

    def reply(request: dict) -> str:
        prompt = "\n".join(m["content"] for m in request["messages"])
        style = _STYLE.search(prompt)
        count = _COUNT.search(prompt)
        names = [n for n in dict.fromkeys(_TOOL.findall(prompt)) if catalog.get(n) is not None]
        assert style and count and names, prompt[:500]
        return json.dumps({"pairs": [pair(style.group(1), names, k) for k in range(int(count.group(1)))]})

    return reply
