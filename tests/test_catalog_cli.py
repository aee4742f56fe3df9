"""``python -m apigen.catalog`` as a real subprocess: list, stats, check and their exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from apigen.paths import package_parent

DATA = Path(__file__).parent / "data"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(package_parent()), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "apigen.catalog", *args], capture_output=True, text=True,
                          cwd=package_parent(), env=env, timeout=300)


def test_stats_counts_every_category():
    out = run_cli("stats")
    assert out.returncode == 0, out.stderr
    rows = dict(line.split()[:2] for line in out.stdout.splitlines() if line.strip())
    assert int(rows["total"]) >= 250
    assert "(21 categories)" in out.stdout
    assert int(rows["Music"]) >= 10 and int(rows["Science"]) >= 10


def test_list_and_list_json():
    out = run_cli("list", "--categories", "Music")
    assert out.returncode == 0
    assert "note_frequency" in out.stdout and "Music" in out.stdout and "monthly_mortgage_payment" not in out.stdout
    specs = json.loads(run_cli("list", "--json").stdout)
    by_name = {s["name"]: s for s in specs}
    assert by_name["airport_info"]["category"] == "Travel"
    assert by_name["airport_info"]["parameters"]["required"] == ["iata"]


def test_check_passes_on_the_builtin_catalog():
    out = run_cli("check")
    assert out.returncode == 0, out.stdout
    assert "FAIL" not in out.stdout
    assert "example calls passed across" in out.stdout


def test_check_fails_on_a_wrong_example(tmp_path: Path):
    (tmp_path / "bad.py").write_text(
        'from apigen.catalog import api\nCATEGORY = "Tools"\n\n'
        '@api(examples=[{"arguments": {"text": "ab"}, "result": "ab"}])\n'
        'def reverse_text(text: str) -> str:\n    """Reverse a text.\n\n    Args:\n        text: The text.\n    """\n    return text[::-1]\n'
    )
    out = run_cli("check", "--path", str(tmp_path))
    assert out.returncode == 1
    assert "FAIL reverse_text example 0: expected 'ab', got 'ba'" in out.stdout


def test_imported_formats_and_bad_paths():
    out = run_cli("stats", "--format", "xlam", "--path", str(DATA / "xlam_tools.json"), "--category", "Gaming")
    assert out.returncode == 0
    assert "Gaming" in out.stdout and "Environment" in out.stdout
    check = run_cli("check", "--format", "openai", "--path", str(DATA / "openai_tools.json"))
    assert check.returncode == 0 and "not executable (schema only, skipped): 2" in check.stdout
    missing = run_cli("stats", "--path", "no/such/dir")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    bad = run_cli("list", "--format", "bfcl", "--path", str(DATA / "bfcl_bad_required.json"))
    assert bad.returncode == 2 and "find_restaurants" in bad.stderr and "parameters.required" in bad.stderr


def test_a_python_source_takes_the_category_option(tmp_path: Path):
    (tmp_path / "m.py").write_text('def shout(text: str) -> str:\n    """Upper-case a text.\n\n    Args:\n'
                                   '        text: The text.\n    """\n    return text.upper()\n')
    (tmp_path / "own.py").write_text('CATEGORY = "Tools"\n\n\ndef whisper(text: str) -> str:\n    """Lower-case a text.\n\n'
                                     '    Args:\n        text: The text.\n    """\n    return text.lower()\n')
    out = run_cli("list", "--path", str(tmp_path), "--format", "python", "--category", "Media")
    assert out.returncode == 0, out.stderr
    rows = dict(line.split() for line in out.stdout.splitlines() if line.strip())
    assert rows == {"shout": "Media", "whisper": "Tools"}  # a module's own CATEGORY wins
