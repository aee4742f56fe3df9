"""report.html: untrusted text shown as text, and the page rendered in a real headless browser
(Debian's chromium, tests/headless_browser.py) with its figures there and no error.

The browser tests fail (they do not skip) when chromium is missing: .ci/run installs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apigen.records import Candidate, Completion, Example, Outcome, Prompt, SampleRecord, SampleRequest, ToolCall
from apigen.report import stage_statistics
from apigen.report_data import collect_figures
from apigen.report_html import render_html
from apigen.store import RunStore

from conftest import TEST_DATA, FakeLLMServer, fake_llm_overrides, judge, pairs, run_cli
from headless_browser import INSTALL_HINT, Chromium, find_chromium

SCRIPT_QUERY = "<script>document.title='pwned';console.error('script ran')</script> What is 8 divided by 2?"
IMG_QUERY = "<img src=x onerror=\"console.error('img ran')\"> Divide 6 by 3 for me."
CATEGORIES = {"divide": "Math", "round_number": "Math", "get_weather": "Weather"}
STAGES = ["format", "dedup", "execution"]


def write_hostile_run(run_dir: Path) -> dict:
    """A run whose model text tries to inject markup everywhere it is shown; returns its manifest."""
    sid = "s0"
    calls = [ToolCall("divide", {"a": 8, "b": 2, "note": "</pre><script>console.error('arg ran')</script>"})]
    rows = [("k0", SCRIPT_QUERY, calls), ("k1", "Divide 9 by 3 and also 12 by 4", [ToolCall("divide", {"a": 9, "b": 3}),
                                                                                    ToolCall("divide", {"a": 12, "b": 4})]),
            ("r0", IMG_QUERY, [ToolCall("<svg onload=alert(1)>", {})]), ("r1", "What is 1 divided by 0?", [ToolCall("divide", {"a": 1, "b": 0})])]
    request = SampleRequest(sid, 0, "simple", ("divide",), (), "t", len(rows))
    record = SampleRecord(request, Prompt(sid, "t", ()), Completion(sid, "{}"),
                          tuple(Candidate(cid, sid, i, "simple", ("divide",), q, tuple(c)) for i, (cid, q, c) in enumerate(rows)))
    store = RunStore(run_dir)
    store.load()
    store.append_sample(record)
    for i, (cid, query, call) in enumerate(rows[:2]):
        store.append_outcome(Outcome(cid, sid, 0, i, 0, True, "kept", "ok",
                                     example=Example(cid, sid, query, ({"name": "divide"},), tuple(call), "simple")))
    store.append_outcome(Outcome("r0", sid, 0, 2, 0, False, "format", "unknown_function", detail="<b>not offered</b>"))
    store.append_outcome(Outcome("r1", sid, 0, 3, 0, False, "execution", "runtime_error", detail="ZeroDivisionError"))
    store.close()
    state = RunStore(run_dir).load()
    return {**stage_statistics(STAGES, state.generated, state.kept, state.rejected), "name": "<i>hostile</i>", "status": "completed",
            "models": {"generator": "openai/<b>m</b>"}, "samples": {"requested": 1, "finished": 1}, "usage": {}, "timings": {},
            "verifier": {"stages": STAGES}}


def test_model_text_is_escaped_not_markup(tmp_path):
    manifest = write_hostile_run(tmp_path)
    page = render_html(manifest, collect_figures(tmp_path, CATEGORIES))
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg onload" not in lowered
    assert "<b>m</b>" not in page and "<b>not offered" not in page and "<i>hostile" not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;" in page
    assert "&lt;img src=x onerror=&quot;console.error(&#x27;img ran&#x27;)&quot;&gt;" in page
    assert "&lt;b&gt;not offered&lt;/b&gt;" in page
    # Nothing outside the page: no script source, stylesheet, image or font may be loaded.
    assert "default-src 'none'" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    with Chromium(binary) as chromium:
        yield chromium


CHARTS_PROBE = """(() => {
  const charts = {};
  for (const svg of document.querySelectorAll('svg[data-chart]')) {
    charts[svg.dataset.chart] = [...svg.querySelectorAll('.bar')].map(b => ({
      label: b.dataset.label, value: Number(b.dataset.value), width: b.getBoundingClientRect().width,
      height: b.getBoundingClientRect().height}));
  }
  return charts;
})()"""


def _page_facts(page) -> dict:
    return page.evaluate("""({title: document.title, scripts: document.querySelectorAll('script, img, iframe, object').length,
        text: document.body.innerText, resources: performance.getEntriesByType('resource').length,
        sections: [...document.querySelectorAll('section h2')].map(h => h.textContent)})""")


@pytest.mark.browser
def test_the_page_renders_its_figures_without_errors(tmp_path, browser):
    manifest = write_hostile_run(tmp_path)
    figures = collect_figures(tmp_path, CATEGORIES)
    (tmp_path / "report.html").write_text(render_html(manifest, figures), encoding="utf-8")
    page = browser.open(tmp_path / "report.html")
    assert page.problems() == []
    facts = _page_facts(page)
    assert facts["title"] == "APIGen run: <i>hostile</i>"  # the page's own title; the query's script never ran
    assert facts["scripts"] == 0 and facts["resources"] == 0
    assert SCRIPT_QUERY in facts["text"] and IMG_QUERY in facts["text"] and "<b>not offered</b>" in facts["text"]
    assert facts["sections"] == ["Funnel per stage", "Rejection reasons", "Duplicates and benchmark overlap", "Coverage",
                                 "Queries", "Argument types", "Sample rows"]

    charts = page.evaluate(CHARTS_PROBE)
    bars = {name: [(b["label"], b["value"]) for b in rows] for name, rows in charts.items()}
    assert bars["funnel"] == [("format", 3), ("dedup", 3), ("execution", 2), ("kept", 2)]
    assert bars["reasons"] == [("format · unknown_function", 1), ("execution · runtime_error", 1)]
    assert bars["apis"] == [("divide", 3), ("round_number", 0), ("get_weather", 0)]
    assert bars["categories"] == [("Math", 3), ("Weather", 0)]
    assert bars["styles"] == [("simple", 2)]
    assert bars["argument_types"] == [("integer", 6), ("string", 1)]
    assert bars["duplicates"] == [("duplicate_query", 0), ("near_duplicate", 0), ("benchmark_overlap", 0)]
    assert sum(v for _, v in bars["query_length"]) == 2
    # Drawn: a bar has width (height in the histogram) exactly when its value is not zero.
    for name, rows in charts.items():
        size = "height" if name == "query_length" else "width"
        assert [b[size] > 0 for b in rows] == [b["value"] > 0 for b in rows], name
    assert "get_weather" in facts["text"].split("never called in a kept row:")[1]


GENERATOR_SCRIPT = [
    pairs((SCRIPT_QUERY, [("divide", {"a": 8, "b": 2})])),
    pairs((IMG_QUERY, [("divide", {"a": 6, "b": 3})])),
    "not JSON at all",
    pairs(("What is 1 divided by 0?", [("divide", {"a": 1, "b": 0})])),
]


@pytest.mark.browser
def test_a_run_writes_report_html_beside_report_md(tmp_run, tmp_path, browser):
    with FakeLLMServer({"generator": GENERATOR_SCRIPT, "judge": [judge(passed=True)]}) as server:
        result = run_cli([*fake_llm_overrides(server), f"hydra.run.dir={tmp_run}", f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]",
                          "catalog.apis=[divide]", "sampler=simple_only", "num_samples=4", "concurrency=1"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_run / "report.md").exists()
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    page = browser.open(tmp_run / "report.html")
    assert page.problems() == []
    facts = _page_facts(page)
    assert facts["title"] == "APIGen run: default" and facts["scripts"] == 0
    assert SCRIPT_QUERY in facts["text"] and IMG_QUERY in facts["text"]
    charts = page.evaluate(CHARTS_PROBE)
    assert [(b["label"], b["value"]) for b in charts["funnel"]] == \
        [(row["stage"], row["passed"]) for row in manifest["stages"]] + [("kept", manifest["counts"]["kept"])]
    assert manifest["counts"]["kept"] == 2
    assert [(b["label"], b["value"]) for b in charts["reasons"]] == \
        [(f"{r['stage']} · {r['reason']}", r["count"]) for r in manifest["reason_breakdown"]]
    height = page.evaluate("document.documentElement.scrollHeight")
    page.send("Emulation.setDeviceMetricsOverride", {"width": 1100, "height": height, "deviceScaleFactor": 1, "mobile": False})
    shot = page.screenshot(tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
