"""MLflow tracking against real stores: a SQLite file and a real `mlflow server` subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from mlflow.tracking import MlflowClient

from papernotes.core.errors import PapernotesError
from papernotes.repro.launch.layout import LINEAR_EVAL
from papernotes.repro.launch.preflight import check_tracking
from papernotes.repro.tracking.client import resolve_tracking_uri
from papernotes.repro.tracking.events import flatten
from papernotes.repro.tracking.sink import Tracker

from .conftest import free_port

EVENTS = [
    {"event": "start", "world_size": 1, "device": "cpu", "epochs": 1, "steps_per_epoch": 2,
     "steps_total": 2, "start_step": 0, "torch": "2.x", "cuda": None, "hardware": "test-cpu",
     "dataset": {"name": "synthetic", "fingerprint": "f00d", "num_train": 4, "num_test": 2,
                 "num_classes": 2}},
    {"event": "step", "step": 1, "epoch": 0.5, "metrics": {"train/loss": 5.0, "train/lr": 0.1,
                                                           "train/pairs_per_s": 10.0}},
    {"event": "step", "step": 2, "epoch": 1.0, "metrics": {"train/loss": 4.0, "train/lr": 0.05,
                                                           "train/pairs_per_s": 12.0}},
    {"event": "epoch", "step": 2, "epoch": 1, "metrics": {"monitor/knn_top1": 30.0}},
    {"event": "eval", "metrics": {"eval/linear_top1": 55.5, "eval/knn_top1": 44.0}},
]


def drive(uri: str, tmp_path, status: str = "FINISHED") -> Tracker:
    tracker = Tracker(uri, "simclr", (tmp_path / "mlartifacts").as_uri() if "sqlite" in uri else None)
    tracker.start(params={"train.epochs": 1, "train.max_steps": None, "world_size": 1},
                  tags={"papernotes.spec": "simclr"}, run_name="t")
    for event in EVENTS:
        tracker(event)
    report = tmp_path / LINEAR_EVAL
    report.write_text('{"top1": 55.5}', encoding="utf-8")
    tracker.log_artifact(report, "eval")
    tracker.finish(status)
    return tracker


def check_store(uri: str, tracker: Tracker) -> None:
    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([tracker.experiment_id])
    assert len(runs) == 1
    run = runs[0]
    assert run.info.status == "FINISHED"
    assert run.data.params["train.max_steps"] == "null" and run.data.params["world_size"] == "1"
    assert run.data.metrics["eval/linear_top1"] == 55.5
    assert [m.value for m in client.get_metric_history(run.info.run_id, "train/loss")] == [5.0, 4.0]
    assert run.data.tags["dataset.fingerprint"] == "f00d" and run.data.tags["hardware"] == "test-cpu"
    assert [a.path for a in client.list_artifacts(run.info.run_id, "eval")] == [f"eval/{LINEAR_EVAL}"]


def test_sqlite_store_round_trip(tmp_path):
    # a store created from nothing (the other tests copy a pre-made empty one)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = drive(uri, tmp_path)
    check_store(uri, tracker)
    assert (tmp_path / "mlartifacts").is_dir()


def test_a_unicode_note_key_names_the_experiment_and_its_artifact_folder(tmp_path, empty_store):
    # the runner's artifact location is mlartifacts/<note key>/, a file URI of a folder whose
    # name has spaces, CJK and '%': MLflow must store the artifacts in exactly that folder
    shutil.copy(empty_store, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    key = "对比学习 (v2) & 100%20"
    folder = tmp_path / "mlartifacts" / key
    tracker = Tracker(uri, key, folder.resolve().as_uri())
    tracker.start(params={"world_size": 1}, tags={"papernotes.note": key}, run_name=f"{key}-demo")
    report = tmp_path / LINEAR_EVAL
    report.write_text("{}", encoding="utf-8")
    tracker.log_artifact(report, "eval")
    tracker.finish("FINISHED")
    client = MlflowClient(tracking_uri=uri)
    run = client.get_run(tracker.run_id)
    assert client.get_experiment(tracker.experiment_id).name == key
    assert run.data.tags["papernotes.note"] == key
    assert (folder / tracker.run_id / "artifacts" / "eval" / LINEAR_EVAL).is_file()


def test_resume_continues_the_same_run(tmp_path, empty_store):
    shutil.copy(empty_store, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    first = drive(uri, tmp_path, status="KILLED")
    again = Tracker(uri, "simclr", None)
    run_id = again.start(params={"train.epochs": 1, "world_size": 1}, tags={}, run_name="t",
                         resume_run_id=first.run_id)
    again({"event": "start", "world_size": 1, "start_step": 2})
    again({"event": "step", "step": 3, "epoch": 1.5, "metrics": {"train/loss": 3.0}})
    again({"event": "eval", "metrics": {"eval/linear_top1": 60.0}})
    again.finish("FINISHED")
    client = MlflowClient(tracking_uri=uri)
    assert run_id == first.run_id
    assert len(client.search_runs([first.experiment_id])) == 1
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.data.metrics["eval/linear_top1"] == 60.0
    history = client.get_metric_history(run_id, "train/loss")
    assert [(m.step, m.value) for m in history] == [(1, 5.0), (2, 4.0), (3, 3.0)]


def test_one_point_per_metric_and_step(tmp_path, empty_store):
    """An epoch that ends on a logging step sends train/loss three times at that step (step,
    epoch and end events): the history keeps the first value, once."""
    shutil.copy(empty_store, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = Tracker(uri, "simclr", None)
    run_id = tracker.start(params={}, tags={}, run_name="t")
    tracker({"event": "start", "start_step": 0})
    tracker({"event": "step", "step": 2, "epoch": 1.0, "metrics": {"train/loss": 4.0, "train/lr": 0.1}})
    tracker({"event": "epoch", "step": 2, "epoch": 1, "metrics": {"train/loss": 4.5, "monitor/knn_top1": 30.0}})
    tracker({"event": "step", "step": 4, "epoch": 2.0, "metrics": {"train/loss": 3.0, "train/lr": 0.05}})
    tracker({"event": "epoch", "step": 4, "epoch": 2, "metrics": {"train/loss": 3.5}})
    tracker({"event": "eval", "step": 4, "metrics": {"eval/linear_top1": 55.5}})
    tracker({"event": "end", "status": "finished", "step": 4,
             "metrics": {"train/loss": 3.5, "monitor/knn_top1": 30.0, "eval/linear_top1": 55.5}})
    tracker.finish("FINISHED")
    client = MlflowClient(tracking_uri=uri)
    points = {key: [(m.step, m.value) for m in client.get_metric_history(run_id, key)]
              for key in ("train/loss", "train/epoch", "monitor/knn_top1", "eval/linear_top1")}
    # the end event's monitor is step 2's, not a new point at step 4
    assert points == {"train/loss": [(2, 4.0), (4, 3.0)], "train/epoch": [(2, 1.0), (4, 2.0)],
                      "monitor/knn_top1": [(2, 30.0)], "eval/linear_top1": [(4, 55.5)]}


def test_an_end_event_alone_is_logged(tmp_path, empty_store):
    """A run whose step and epoch events were never seen (interrupted before its first log step)
    still records what its end event carries."""
    shutil.copy(empty_store, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = Tracker(uri, "simclr", None)
    run_id = tracker.start(params={}, tags={}, run_name="t")
    tracker({"event": "start", "start_step": 0})
    tracker({"event": "end", "status": "interrupted", "step": 1, "metrics": {"train/loss": 6.0}})
    tracker.finish("KILLED")
    history = MlflowClient(tracking_uri=uri).get_metric_history(run_id, "train/loss")
    assert [(m.step, m.value) for m in history] == [(1, 6.0)]


def test_uri_precedence_and_flatten():
    assert resolve_tracking_uri("a", {"MLFLOW_TRACKING_URI": "b"}, "c") == "a"
    assert resolve_tracking_uri(None, {"MLFLOW_TRACKING_URI": "b"}, "c") == "b"
    assert resolve_tracking_uri(None, {}, "c") == "c"
    assert flatten({"a": {"b": 1, "c": {"d": None}}, "e": "x"}) == {"a.b": 1, "a.c.d": None, "e": "x"}


def test_unreachable_server_is_one_line_error():
    port = free_port()
    t0 = time.monotonic()
    with pytest.raises(PapernotesError, match="unreachable") as info:
        check_tracking(f"http://127.0.0.1:{port}")
    assert time.monotonic() - t0 < 5 and info.value.field == "tracking_uri"


@pytest.fixture
def mlflow_server(tmp_path, empty_store):
    import os

    from papernotes.repro.tracking.ui_server import QUIET_ENV

    shutil.copy(empty_store, tmp_path / "server.db")  # a made store: the server starts in seconds
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}",
         "--artifacts-destination", str(tmp_path / "server-artifacts"), "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, **QUIET_ENV})
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(uri + "/health", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("mlflow server did not start")
        time.sleep(0.5)
    yield uri
    from papernotes.repro.tracking.ui_server import stop_group

    stop_group(proc)  # the server and its workers, as `papernotes ui` stops them


@pytest.mark.slow
def test_remote_server(tmp_path, mlflow_server):
    check_tracking(mlflow_server)
    tracker = drive(mlflow_server, tmp_path)
    check_store(mlflow_server, tracker)


def test_every_experiment_opens_on_its_runs(tmp_path, empty_store):
    """MLflow 3's UI shows an experiment without a kind as GenAI; papernotes gives each its kind,
    an older one too, and keeps a kind the user chose."""
    import shutil

    from mlflow.tracking import MlflowClient

    from papernotes.repro.tracking.client import experiment_id

    db = tmp_path / "mlflow.db"
    shutil.copy(empty_store, db)
    uri = f"sqlite:///{db}"
    client = MlflowClient(tracking_uri=uri)
    new = experiment_id(client, "simclr", None, uri)
    old = client.create_experiment("byol")  # made before papernotes tagged experiments
    mine = client.create_experiment("mae", tags={"mlflow.experimentKind": "finetuning"})
    assert experiment_id(client, "byol", None, uri) == old
    assert experiment_id(client, "mae", None, uri) == mine
    kind = {e: client.get_experiment(e).tags.get("mlflow.experimentKind") for e in (new, old, mine)}
    assert kind == {new: "custom_model_development", old: "custom_model_development", mine: "finetuning"}
