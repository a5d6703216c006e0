"""A new MLflow store is made while training starts: events wait, nothing is lost."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core.errors import PapernotesError
from papernotes.repro.launch.layout import CHECKPOINT, RUN_FILE, checkpoint_file
from papernotes.repro.tracking.store_warmup import DeferredStart, StoreWarmup, store_is_new

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


def test_a_store_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    warm = StoreWarmup("sqlite:///" + str(tmp_path / "a-file" / "mlflow.db"))  # in a child process
    with pytest.raises(PapernotesError, match="MLflow tracking failed: ") as info:
        warm.client()
    assert "\n" not in str(info.value) and warm.ready()


def _logged(client, run_id: str) -> tuple[dict, dict]:
    """(params but out_dir, {metric: [(step, value)]} but system metrics) of one run."""
    run = client.get_run(run_id)
    params = {k: v for k, v in run.data.params.items() if k != "out_dir"}
    metrics = {k: [(m.step, m.value) for m in client.get_metric_history(run_id, k)]
               for k in run.data.metrics if not k.startswith("system/")}
    return params, metrics


@pytest.mark.slow  # two tiny in-process runs: 30-60 s on the shared machine
def test_repro_on_a_new_store_trains_first_and_logs_every_event(ws, monkeypatch):
    """The deferred run logs what a run opened first logs; its folder is found from the run."""
    from papernotes.repro.run import tracked
    from papernotes.repro.tracking import store_warmup

    base = ws / "runs" / "simclr-demo"
    made = store_warmup.new_client

    def store_after_training(uri):  # the store is "created" once training saved its checkpoint
        deadline = time.monotonic() + 120
        while not list(base.glob(f"*/{CHECKPOINT}")) and time.monotonic() < deadline:
            time.sleep(0.05)
        return made(uri)

    args = ["repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args()]
    with monkeypatch.context() as patch:
        patch.setattr(store_warmup, "new_client", store_after_training)
        patch.setattr(tracked, "store_is_new", lambda uri: True)  # the warm-up path, on a copy
        late = CliRunner().invoke(app, args)
    assert late.exit_code == 0, late.output
    assert "while training starts" in late.output
    first = CliRunner().invoke(app, args)  # the store exists: the run opens first, as before
    assert first.exit_code == 0, first.output
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    runs = client.search_runs([client.get_experiment_by_name("simclr").experiment_id],
                              order_by=["attributes.start_time ASC"])
    deferred, direct = runs
    assert [r.info.status for r in runs] == ["FINISHED", "FINISHED"]
    folder = Path(deferred.data.tags["papernotes.run_dir"])
    ckpt = checkpoint_file(folder)
    assert deferred.info.start_time / 1000 > ckpt.stat().st_mtime  # opened after training
    assert folder.parent == base and folder.name != deferred.info.run_id
    assert json.loads((folder / RUN_FILE).read_text())["run_id"] == deferred.info.run_id
    assert deferred.data.params["out_dir"] == str(folder)
    assert direct.data.tags["papernotes.run_dir"] == str(base / direct.info.run_id)
    params, metrics = _logged(client, deferred.info.run_id)
    want_params, want_metrics = _logged(client, direct.info.run_id)
    assert params == want_params
    assert [m.step for m in client.get_metric_history(deferred.info.run_id, "train/loss")] == [1, 2]
    assert set(metrics) == set(want_metrics) and "eval/linear_top1" in metrics
    for key, history in want_metrics.items():
        assert [s for s, _ in metrics[key]] == [s for s, _ in history], key
        if key.startswith("time/") or key.endswith(("_per_s", "_s")):
            continue  # speeds and wall times differ from run to run
        assert [v for _, v in metrics[key]] == pytest.approx([v for _, v in history], rel=1e-4), key
    for tag in ("papernotes.config_hash", "papernotes.seed", "papernotes.spec", "dataset.fingerprint"):
        assert deferred.data.tags[tag] == direct.data.tags[tag], tag
