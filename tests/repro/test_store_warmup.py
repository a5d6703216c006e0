"""A new MLflow store is made while training starts: events wait, nothing is lost."""

from __future__ import annotations

import threading

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.repro.store_warmup import DeferredStart, StoreWarmup, store_is_new

from .conftest import tiny_args


def test_events_wait_for_the_store_and_arrive_in_order(tmp_path, monkeypatch):
    logged, opened = [], []
    gate = threading.Event()

    class SlowWarmup(StoreWarmup):
        def _run(self):
            gate.wait(10)

    warm = SlowWarmup("sqlite:///" + str(tmp_path / "x.db"))
    run = DeferredStart(logged.append, lambda: opened.append(len(logged)), warm)
    run({"event": "start"})
    run({"event": "step", "step": 1})
    assert logged == [] and opened == []  # the store is still being made
    gate.set()
    warm._thread.join()
    run({"event": "step", "step": 2})  # the first event that finds it ready opens the run
    assert opened == [0]
    assert [e.get("step") for e in logged] == [None, 1, 2]
    run.open()  # idempotent
    assert opened == [0]
    assert store_is_new("sqlite:///" + str(tmp_path / "none.db"))
    assert not store_is_new("http://127.0.0.1:5000")


@pytest.mark.slow  # one tiny in-process run: 15-35 s on the shared machine
def test_repro_on_a_new_store_logs_every_event(ws, monkeypatch):
    from papernotes.repro import runner

    monkeypatch.setattr(runner, "store_is_new", lambda uri: True)  # the warm-up path, on a copy
    r = CliRunner().invoke(app, ["repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args()])
    assert r.exit_code == 0, r.output
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("simclr").experiment_id])
    assert run.info.status == "FINISHED"
    assert [m.step for m in client.get_metric_history(run.info.run_id, "train/loss")] == [1, 2]
    assert run.data.tags["papernotes.config_hash"] and run.data.tags["papernotes.seed"] == "0"
    assert run.data.params["world_size"] == "1" and "eval/linear_top1" in run.data.metrics
    assert (ws / "runs" / "simclr-demo" / "mlflow_run.json").is_file()
