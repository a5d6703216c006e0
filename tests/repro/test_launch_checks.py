"""What can be checked before a launch is checked before it (issue 23): one line, exit 2, no
MLflow run, no run folder, `--dry-run` included; a real process times the whole refusal."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app

DEMO = ["repro", "simclr", "--profile", "demo", "--device", "cpu"]


def test_wrong_launches_are_refused_in_one_line_before_anything_starts(ws):
    cases = {
        ("--set", "data.num_train=100"):
            "error: train.batch_size: batch 256 is larger than the data set (data.num_train 100 "
            "images) (--set train.batch_size=100 or less, or more data.num_train)",
        ("--nproc-per-node", "3"):
            "error: train.batch_size: batch 256 is not divisible by 3 processes (a multiple of 3 "
            "(--set train.batch_size=255), or 2 processes)",
        ("--gpus", "1"):
            "error: --gpus: --gpus 1 asks for GPUs but --device cpu for none (drop --gpus to "
            "train on CPU (--nproc-per-node N for N CPU ranks), or --device to use the GPUs)",
    }
    for extra, line in cases.items():
        for dry in ([], ["--dry-run"]):
            result = CliRunner().invoke(app, [*DEMO, *extra, *dry])
            assert result.exit_code == 2, result.output
            assert " ".join(result.output.split()) == line
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    assert client.get_experiment_by_name("simclr") is None  # no run was opened
    assert not (ws / "runs").exists()


def test_the_refusal_takes_no_engine_start_up(ws):
    env = {**os.environ}
    env.pop("MLFLOW_TRACKING_URI", None)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "papernotes", *DEMO, "--set", "data.num_train=100"],
                          cwd=ws, env=env, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - t0
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "data.num_train 100" in proc.stderr
    # no engine start-up, no store: what is left is importing the spec's methods (torch, since
    # the method registry; 5-18 s on the loaded 2-core machine) against 8-12 s before the refusal
    assert "Traceback" not in proc.stderr and took < 60
    assert not (ws / "runs").exists()
