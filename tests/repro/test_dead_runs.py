"""A run whose process is gone is seen as dead (issue 23): SIGKILL leaves its MLflow run
RUNNING, but nobody holds its folder's lock, so `runs`, MLflow and `--resume` call it KILLED
(with why), and the resume says from which step it continues and logs no step twice.
A real process, a real SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.repro.launch.layout import RUN_FILE, checkpoint_file
from papernotes.repro.tracking import tags

from .conftest import TINY


@pytest.mark.slow  # a real run killed with SIGKILL, then resumed: ~40 s on the shared machine
def test_a_sigkilled_run_is_shown_killed_and_resumed_from_its_checkpoint(ws):
    args = [x for x in TINY if not x.startswith(("train.max_steps", "train.epochs"))]
    args += ["train.epochs=40", "train.checkpoint_every=3", "train.max_steps=30"]
    cmd = [sys.executable, "-m", "papernotes", "repro", "simclr", "--profile", "demo", "--device",
           "cpu", *(w for x in args for w in ("--set", x))]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    base = ws / "runs" / "simclr-demo"
    deadline = time.monotonic() + 240
    folder = None
    while time.monotonic() < deadline and folder is None:
        found = [f for f in base.glob(f"*/{RUN_FILE}")] if base.is_dir() else []
        if found and checkpoint_file(found[0].parent).is_file():
            folder = found[0].parent
        time.sleep(0.05)
    assert folder is not None and proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)  # no handler, no clean-up: as the OOM killer does
    proc.communicate(timeout=30)
    run_id = json.loads((folder / RUN_FILE).read_text())["run_id"]
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    assert client.get_run(run_id).info.status == "RUNNING"  # what SIGKILL leaves behind
    before = [m.step for m in client.get_metric_history(run_id, "train/loss")]

    listed = CliRunner().invoke(app, ["runs"])
    assert listed.exit_code == 0, listed.output
    assert "KILLED" in listed.output and "RUNNING" not in listed.output
    assert f"{run_id[:8]} KILLED: its process (pid {proc.pid}) ended without closing the run" in (
        " ".join(listed.output.split()))
    dead = client.get_run(run_id)
    assert dead.info.status == "KILLED" and "ended without closing" in dead.data.tags[tags.ENDED]

    saved_step = torch.load(checkpoint_file(folder), weights_only=True)["step"]
    assert saved_step > 0
    resumed = CliRunner().invoke(app, ["repro", "simclr", "--profile", "demo", "--device", "cpu",
                                       "--resume"])
    assert resumed.exit_code == 0, resumed.output
    said = " ".join(resumed.output.split())
    assert f"resuming run {run_id[:8]} from its checkpoint at step {saved_step}" in said
    steps = [m.step for m in client.get_metric_history(run_id, "train/loss")]
    assert len(steps) == len(set(steps)) and max(steps) == 30  # no step twice, to the end
    assert set(before) <= set(steps)
    assert client.get_run(run_id).info.status == "FINISHED"
