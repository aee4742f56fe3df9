"""Shards through Hydra multirun on the real launchers, with the ready configs of
conf/hydra/launcher/: joblib (local processes), submitit's local executor (the SLURM recipe run on
this machine) and Ray (a local Ray instance, and a Ray cluster the test starts with `ray start`).
Each sweep is merged and must give exactly the rows of one unsharded run.

The launchers come with the `scale` extra (scripts/setup.sh installs it); without a plugin its
test is skipped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from apigen.merge import main as merge_main
from apigen.runner import run

from conftest import ROOT, FakeLLMServer, compose_config, run_cli
from shard_helpers import overrides, rows, scripts

NUM_SAMPLES = 4
SHARDS = ["shard.count=2", "shard.index=range(2)"]
# Ray on 127.0.0.1 only (by default it takes the address of the machine's network interface), and
# without the cluster token a test cluster does not need.
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0",
           "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def server():
    with FakeLLMServer(scripts()) as fake:
        yield fake


@pytest.fixture(scope="module")
def unsharded(server, tmp_path_factory) -> bytes:
    run_dir = tmp_path_factory.mktemp("unsharded")
    run(compose_config(overrides(server, NUM_SAMPLES)), run_dir)
    return rows(run_dir)


@pytest.fixture
def ray_temp():
    """Ray's session folder: short, since its Unix socket paths must fit in 107 characters."""
    path = Path(tempfile.mkdtemp(prefix="apigen-ray-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def sweep_and_merge(server: FakeLLMServer, sweep: Path, launcher: list[str], env: dict[str, str] | None = None) -> dict:
    result = run_cli(["-m", *overrides(server, NUM_SAMPLES), *SHARDS, *launcher, f"hydra.sweep.dir={sweep}"],
                     timeout=300, env_changes=dict(env or {}))
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-3000:])
    assert merge_main([str(sweep), "-o", str(sweep / "merged"), "--formats", "jsonl"]) == 0
    manifest = json.loads((sweep / "merged" / "manifest.json").read_text())
    assert [(s["index"], s["status"]) for s in manifest["shards"]] == [(0, "completed"), (1, "completed")]
    return manifest


def test_joblib_runs_the_shards_as_local_processes(server, unsharded, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher", reason="the scale extra is not installed")
    sweep_and_merge(server, tmp_path / "sweep", ["hydra/launcher=shards_local", "hydra.launcher.n_jobs=2"])
    assert rows(tmp_path / "sweep" / "merged") == unsharded
    indexes = {json.loads((tmp_path / "sweep" / str(i) / "manifest.json").read_text())["shard"]["index"] for i in range(2)}
    assert indexes == {0, 1}


def test_submitit_local_runs_the_shards_as_submitit_jobs(server, unsharded, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="the scale extra is not installed")
    sweep_and_merge(server, tmp_path / "sweep", ["hydra/launcher=shards_submitit_local"])
    assert rows(tmp_path / "sweep" / "merged") == unsharded
    assert list((tmp_path / "sweep" / ".submitit").iterdir()), "submitit kept no job folder: it did not run the jobs"


def test_ray_runs_the_shards_on_a_local_ray_instance(server, unsharded, tmp_path, ray_temp):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="the scale extra is not installed")
    sweep_and_merge(server, tmp_path / "sweep", ["hydra/launcher=shards_ray", "hydra.launcher.ray.init.address=null",
                                                 "+hydra.launcher.ray.init.num_cpus=2",
                                                 f"+hydra.launcher.ray.init._temp_dir={ray_temp}"], RAY_ENV)
    assert rows(tmp_path / "sweep" / "merged") == unsharded
    assert list(ray_temp.glob("session_*/logs/python-core-worker-*")), "no Ray worker ran"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_ray_runs_the_shards_on_a_ray_cluster_started_apart(server, unsharded, tmp_path, ray_temp):
    """The Ray recipe: a cluster started with `ray start --head`, the sweep joining it by address."""
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="the scale extra is not installed")
    ray_cli = Path(sys.executable).parent / "ray"
    port, temp = _free_port(), ray_temp
    head = subprocess.Popen([str(ray_cli), "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
                             f"--ray-client-server-port={_free_port()}", "--num-cpus=2", "--include-dashboard=false",
                             f"--temp-dir={temp}", "--disable-usage-stats"],
                            env={**os.environ, **RAY_ENV}, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not list(temp.glob("session_*/logs/raylet.out")):
            assert head.poll() is None, "ray start ended early"
            time.sleep(0.5)
        sweep_and_merge(server, tmp_path / "sweep", ["hydra/launcher=shards_ray", f"hydra.launcher.ray.init.address=127.0.0.1:{port}"],
                        RAY_ENV)
    finally:
        _stop_group(head)
    assert rows(tmp_path / "sweep" / "merged") == unsharded


def _stop_group(process: subprocess.Popen) -> None:
    """End the `ray start --block` process and every Ray process it started (its own session)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
