"""The MLflow store of a SLURM run: a tracking server on loopback (what a cluster uses: `mlflow
server`, or `papernotes ui`), and one point per metric and step across a restart that replays
the steps since its last periodic checkpoint (a node failure)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.repro.tracking.sink import Tracker

from .test_repro_tracking import mlflow_server  # noqa: F401  (the fixture: a real server on 127.0.0.1)
from .test_slurm_requeue import papernotes, wait_for


def test_a_restart_from_an_older_checkpoint_logs_no_step_twice(tmp_path, empty_store):
    shutil.copy(empty_store, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    first = Tracker(uri, "simclr", None)
    run_id = first.start(params={}, tags={}, run_name="t")
    first({"event": "start", "start_step": 0})
    for step in (1, 2, 3, 4):  # a checkpoint at step 2, then the node fails after step 4
        first({"event": "step", "step": step, "epoch": step / 2, "metrics": {"train/loss": 10.0 - step}})
    first.finish("KILLED")
    again = Tracker(uri, "simclr", None)
    again.start(params={}, tags={}, run_name="t", resume_run_id=run_id)
    again({"event": "start", "start_step": 2})
    for step in (3, 4, 5):  # replayed from the checkpoint (bitwise the same values on CPU)
        again({"event": "step", "step": step, "epoch": step / 2, "metrics": {"train/loss": 10.0 - step}})
    again({"event": "end", "status": "finished", "step": 5, "wall_time_s": 1.5, "metrics": {}})
    again.finish("FINISHED")
    history = MlflowClient(tracking_uri=uri).get_metric_history(run_id, "train/loss")
    assert sorted((m.step, m.value) for m in history) == [(1, 9.0), (2, 8.0), (3, 7.0), (4, 6.0), (5, 5.0)]


@pytest.mark.slow  # a tracking server, and a job through submitit's local executor: ~2 min
def test_a_job_tracks_into_a_server_on_loopback(ws, mlflow_server):  # noqa: F811
    old = Path.cwd()
    os.chdir(ws)
    try:  # several nodes are accepted with a server (SQLite is refused: test_slurm_submit.py)
        dry = CliRunner().invoke(app, ["repro", "simclr", "--profile", "demo", "--slurm", "--dry-run",
                                       "--nodes", "2", "--partition", "p", "--time", "10",
                                       "--tracking-uri", mlflow_server])
    finally:
        os.chdir(old)
    assert dry.exit_code == 0 and "2 nodes x CPU" in dry.output, dry.output
    sets = ["--set", "data.num_train=128", "--set", "data.num_test=64", "--set", "data.image_size=16",
            "--set", "model.base_channels=8", "--set", "model.proj_dim=16", "--set", "train.epochs=1",
            "--set", "train.batch_size=32", "--set", "train.max_steps=2", "--set", "eval.linear_epochs=1",
            "--set", "eval.knn_k=5"]
    code, out = papernotes(ws, "repro", "simclr", "--profile", "demo", *sets, "--slurm", "--partition", "p",
                           "--time", "10", "--gpus", "0", "--tracking-uri", mlflow_server)
    assert code == 0, out
    run_id = re.search(r"MLflow run ([0-9a-f]{32}) SCHEDULED", out).group(1)
    job_id = re.search(r"submitted SLURM job (\S+):", out).group(1)
    result = ws / "runs" / "simclr-demo" / run_id / "slurm" / f"{job_id}_0_result.pkl"
    wait_for(result.is_file, 400, "the job to finish")
    client = MlflowClient(tracking_uri=mlflow_server)
    assert client.get_run(run_id).info.status == "FINISHED"
    assert "eval/linear_top1" in client.get_run(run_id).data.metrics
    assert not (ws / "mlflow.db").exists() or not MlflowClient(
        tracking_uri=f"sqlite:///{ws / 'mlflow.db'}").search_runs(
        [e.experiment_id for e in MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}").search_experiments()])
