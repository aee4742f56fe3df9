"""The progress display on long runs: summary lines in logs, a bar on a terminal, both updated
while a model call is still running; calls in flight counted where calls are made."""

from __future__ import annotations

import asyncio
import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from pathlib import Path

from apigen.config import LLMConfig
from apigen.llm.client import LLMClient
from apigen.llm.meter import METER, CallMeter
from apigen.pipeline import RunProgress
from apigen.progress import ProgressDisplay
from apigen.store import RunState

from conftest import ROOT, TEST_DATA, FakeLLMServer, fake_llm_overrides, judge, pairs, run_cli

CALL_S = 4.0  # one slow generation call
GOOD = pairs(("What is 10 divided by 4?", [("divide", {"a": 10, "b": 4})]))


def _args(server: FakeLLMServer, run_dir: Path, *extra: str) -> list[str]:
    return [*fake_llm_overrides(server), f"hydra.run.dir={run_dir}", f"catalog.paths=[{TEST_DATA / 'calc_catalog.py'}]",
            "catalog.apis=[divide]", "sampler=simple_only", "num_samples=1", "concurrency=1", *extra]


def _slow_server() -> FakeLLMServer:
    return FakeLLMServer({"generator": [{"content": GOOD, "delay": CALL_S}], "judge": [judge(passed=True)]})


def test_a_log_gets_summary_lines_while_the_first_call_runs_and_no_bar(tmp_path: Path):
    with _slow_server() as server:
        out = run_cli(_args(server, tmp_path / "run", "output.progress=true", "output.progress_interval_s=0.5"))
    assert out.returncode == 0, out.stderr
    assert "\r" not in out.stderr  # stderr is a pipe here: no bar
    lines = [line for line in out.stderr.splitlines() if line.startswith("apigen: ")]
    waiting = [line for line in lines if line.startswith("apigen: 0/1 samples (0.0%) | kept 0 | rejected 0 | "
                                                         "generation errors 0 | calls in flight 1 (oldest 0:00:0")]
    assert len(waiting) >= 3, out.stderr  # the call takes 4 s, a line every 0.5 s
    for line in waiting:
        assert re.search(r"\| \d+\.\d req/s \| elapsed 0:00:0\d \| ETA unknown$", line), line
    assert "tok/s" not in lines[0]  # a remote model: no embedded-model token rate
    oldest = [int(re.search(r"oldest 0:00:0(\d)", line).group(1)) for line in waiting]  # type: ignore[union-attr]
    assert oldest[-1] >= oldest[0] + 2  # the line follows the running call
    assert re.match(r"apigen: 1/1 samples \(100\.0%\) \| kept 1 \| rejected 0 \| .*calls in flight 0 \|.* ETA 0:00:00$", lines[-1])


def test_a_terminal_gets_a_bar_redrawn_while_the_first_call_runs(tmp_path: Path):
    with _slow_server() as server:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 220, 0, 0))
        env = dict(os.environ, HYDRA_FULL_ERROR="0", PYTHONUNBUFFERED="1")
        process = subprocess.Popen([sys.executable, "-m", "apigen", *_args(server, tmp_path / "run", "output.progress=true")],
                                   cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env)
        os.close(slave)
        screen = b""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            elif process.poll() is not None:
                break
        process.wait(timeout=60)
        os.close(master)
    assert process.returncode == 0, screen.decode(errors="replace")[-2000:]
    draws = [d for d in re.split(r"[\r\n]", screen.decode(errors="replace")) if d.startswith("apigen:")]
    waiting = [d for d in draws if " 0/1 " in d and "calls in flight 1 (oldest" in d]
    elapsed = {re.search(r"\[(\d\d:\d\d)<", d).group(1) for d in waiting}  # type: ignore[union-attr]
    assert len(elapsed) >= 3, draws  # redrawn each second of the 4-second call, not only when it ends
    assert any(" 1/1 " in d and "kept 1" in d for d in draws), draws


def _display(stream: io.StringIO, local_model: bool, meter: CallMeter) -> ProgressDisplay:
    state = RunState(kept=4, rejected=Counter({("execution", "runtime_error"): 1, ("format", "bad_json"): 2,
                                               ("format", "unknown_api"): 1, ("semantic", "judge_failed"): 1}))
    progress = RunProgress(processed=3, generation_errors=1)
    return ProgressDisplay(total=10, done_before=2, state=state, progress=progress, stages=["format", "dedup", "execution", "semantic"],
                           local_model=local_model, enabled=True, interval_s=30.0, stream=stream, meter=meter)


def test_the_summary_line_counts_rejections_per_stage_in_chain_order_and_the_embedded_model_rate():
    stream = io.StringIO()
    meter = CallMeter()
    display = _display(stream, local_model=True, meter=meter)
    with meter.call():
        meter.add_tokens(120, local=True)
    display.close()
    line = stream.getvalue().strip()
    assert line.startswith("apigen: 5/10 samples (50.0%) | kept 4 | rejected 5 (format 3, execution 1, semantic 1) | "
                           "generation errors 1 | calls in flight 0 | ")
    rates = re.search(r"\| ([\d.]+) req/s \| ([\d.]+) tok/s \|", line)
    assert rates and float(rates.group(1)) > 0 and float(rates.group(2)) > float(rates.group(1)), line
    assert re.search(r"ETA 0:00:\d\d$", line), line


def test_a_display_that_is_switched_off_prints_nothing():
    stream = io.StringIO()
    display = ProgressDisplay(total=3, done_before=0, state=RunState(), progress=RunProgress(), stages=["format"],
                              local_model=False, enabled=False, interval_s=0.01, stream=stream)

    async def work() -> int:
        await asyncio.sleep(0.1)
        return 7

    assert asyncio.run(display.around(work())) == 7
    display.close()
    assert stream.getvalue() == ""


def test_the_client_counts_a_call_in_flight_until_its_reply_arrives():
    with FakeLLMServer({"generator": [{"content": "{}", "delay": 1.0}]}) as server:
        client = LLMClient(LLMConfig(model="openai/fake-model", api_base=server.api_base, api_key="k", max_retries=0))
        before = METER.finished

        async def call_and_watch() -> list[int]:
            call = asyncio.create_task(client.complete("s1", ({"role": "user", "content": "hi"},)))
            seen = []
            while not call.done():
                seen.append(METER.in_flight)
                await asyncio.sleep(0.1)
            assert not (await call).error
            return seen

        seen = asyncio.run(call_and_watch())
    assert max(seen) == 1 and METER.in_flight == 0
    assert METER.finished == before + 1
