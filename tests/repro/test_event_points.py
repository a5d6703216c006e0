"""One translation of engine events into MLflow points (tracking/events.py) for both sinks: a
`repro` run's Tracker (fluent API) and an `idea run` arm's ArmLogger (client batches) log the
same points for the same events, into a real store."""

from __future__ import annotations

import shutil

from mlflow.tracking import MlflowClient

from papernotes.repro.experiment.arm_runs import ArmLogger
from papernotes.repro.tracking.events import Points, RunPoints
from papernotes.repro.tracking.sink import Tracker

# an epoch that ends on a logging step: train/loss comes three times at step 2 and at step 4
# (step, epoch, end), and the end event repeats the last epoch's and the evaluation's metrics
EVENTS = [
    {"event": "start", "start_step": 0, "world_size": 1, "device": "cpu", "hardware": "test-cpu",
     "torch": "2.x", "cuda": None, "dataset": {"name": "synthetic", "fingerprint": "f00d"}},
    {"event": "phase", "name": "pretrain", "total": 4},
    {"event": "step", "step": 2, "epoch": 1.0, "metrics": {"train/loss": 4.0, "train/lr": 0.1}},
    {"event": "epoch", "step": 2, "epoch": 1, "metrics": {"train/loss": 4.5, "monitor/knn_top1": 30.0}},
    {"event": "step", "step": 4, "epoch": 2.0, "metrics": {"train/loss": 3.0, "train/lr": 0.05,
                                                           "flag": True}},
    {"event": "epoch", "step": 4, "epoch": 2, "metrics": {"train/loss": 3.5}},
    {"event": "checkpoint", "step": 4, "path": "x"},
    {"event": "eval", "metrics": {"eval/linear_top1": 55.5}},
    {"event": "end", "status": "finished", "step": 4, "wall_time_s": 12.5,
     "metrics": {"train/loss": 3.5, "monitor/knn_top1": 30.0, "eval/linear_top1": 55.5,
                 "eval/knn_top1": 40.0}},
]
WANT = {"train/loss": [(2, 4.0), (4, 3.0)], "train/lr": [(2, 0.1), (4, 0.05)],
        "train/epoch": [(2, 1.0), (4, 2.0)], "monitor/knn_top1": [(2, 30.0)],
        "eval/linear_top1": [(4, 55.5)], "eval/knn_top1": [(4, 40.0)], "time/wall_s": [(4, 12.5)]}


def test_the_rule_one_point_per_metric_and_step_and_an_end_that_repeats_nothing():
    points = RunPoints()
    out = [points(event) for event in EVENTS]
    assert out[0] == Points(0, {}, {"dataset.name": "synthetic", "dataset.fingerprint": "f00d",
                                    "torch": "2.x", "hardware": "test-cpu", "device": "cpu"})
    assert out[1] == Points(0) and out[6] == Points(4)
    assert [p.metrics for p in out[2:]] == [
        {"train/loss": 4.0, "train/lr": 0.1}, {"monitor/knn_top1": 30.0, "train/epoch": 1.0},
        {"train/loss": 3.0, "train/lr": 0.05}, {"train/epoch": 2.0}, {},
        {"eval/linear_top1": 55.5}, {"eval/knn_top1": 40.0, "time/wall_s": 12.5}]
    resumed = RunPoints()  # a resumed run counts from its start step
    resumed({"event": "start", "start_step": 6})
    assert resumed({"event": "eval", "metrics": {"eval/linear_top1": 1.0}}) == Points(6, {"eval/linear_top1": 1.0})


def _history(client, run_id: str) -> dict:
    run = client.get_run(run_id)
    return {k: [(m.step, m.value) for m in client.get_metric_history(run_id, k)]
            for k in run.data.metrics if not k.startswith("system/")}


def test_the_repro_sink_and_the_arm_sink_log_the_same_points(tmp_path, empty_store):
    shutil.copy(empty_store, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    tracker = Tracker(uri, "simclr", (tmp_path / "art").as_uri())
    tracker.start(params={}, tags={}, run_name="repro")
    for event in EVENTS:
        tracker(event)
    tracker.finish("FINISHED")
    client = MlflowClient(tracking_uri=uri)
    parent = client.create_run(tracker.experiment_id).info.run_id
    arm = ArmLogger("arm", {"train": {"epochs": 2, "max_steps": None}}, {"papernotes.arm": "patch"})
    for event in EVENTS[:4]:
        arm(event)
    arm.attach(client, tracker.experiment_id, parent)
    arm.flush()  # a batch, then the rest: where the batches split changes nothing
    for event in EVENTS[4:]:
        arm(event)
    arm.finish("FINISHED")
    assert _history(client, tracker.run_id) == _history(client, arm.run_id) == WANT
    repro, arm_run = client.get_run(tracker.run_id).data, client.get_run(arm.run_id).data
    for tag in ("dataset.name", "dataset.fingerprint", "torch", "hardware", "device"):
        assert repro.tags[tag] == arm_run.tags[tag], tag
    assert arm_run.tags["mlflow.parentRunId"] == parent and "cuda" not in arm_run.tags
    assert arm_run.params == {"train.epochs": "2", "train.max_steps": "null"}  # as Tracker writes None
