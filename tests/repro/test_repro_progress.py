"""Progress sinks: plain lines off a terminal, a rich bar on one; curves drawn from events."""

from __future__ import annotations

import io
import re

from rich.console import Console

from papernotes.repro.run.plots import CurveRecorder, draw
from papernotes.repro.run.progress import PlainProgress, RichProgress

EVENTS = [
    {"event": "start", "world_size": 2, "device": "cpu", "epochs": 2, "steps_per_epoch": 2,
     "steps_total": 4, "hardware": "cpu-test"},
    {"event": "phase", "name": "pretrain", "total": 4},
    {"event": "step", "step": 1, "epoch": 0.5, "metrics": {"train/loss": 4.5, "train/pairs_per_s": 321.0}},
    {"event": "step", "step": 2, "epoch": 1.0, "metrics": {"train/loss": 4.25, "train/pairs_per_s": 330.0}},
    {"event": "epoch", "step": 2, "epoch": 1, "metrics": {"monitor/knn_top1": 31.5}},
    {"event": "step", "step": 4, "epoch": 2.0, "metrics": {"train/loss": 4.0, "train/pairs_per_s": 340.0}},
    {"event": "epoch", "step": 4, "epoch": 2, "metrics": {"monitor/knn_top1": 35.0}},
    {"event": "phase", "name": "linear_eval", "total": 10},
    {"event": "progress", "phase": "linear_eval", "done": 10, "total": 10},
    {"event": "eval", "metrics": {"eval/linear_top1": 40.125}},
    {"event": "end", "status": "finished", "wall_time_s": 12.5},
]


def test_plain_lines():
    lines: list[str] = []
    sink = PlainProgress(lines.append)
    for e in EVENTS:
        sink(e)
    assert lines == [
        "start: world_size=2 device=cpu steps=4 hardware=cpu-test", "phase: pretrain",
        "epoch 1/2  step 2  monitor/knn_top1=31.5", "epoch 2/2  step 4  monitor/knn_top1=35",
        "phase: linear_eval", "eval: eval/linear_top1=40.12", "end: finished after 12.5 s"]


def test_rich_bar_shows_epoch_loss_and_pairs_per_second():
    buf = io.StringIO()
    sink = RichProgress(Console(file=buf, force_terminal=True, width=160))
    for e in EVENTS:
        sink(e)
    sink.close()
    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue())
    assert "epoch 2.00/2  loss 4.0000  340 pairs/s" in out
    assert "pretrain" in out and "linear_eval" in out and "eval/linear_top1=40.12" in out


def test_curves_png(tmp_path):
    rec = CurveRecorder()
    for e in EVENTS:
        rec(e)
    assert rec.loss == [(1, 4.5), (2, 4.25), (4, 4.0)]
    assert rec.acc == {"monitor/knn_top1": [(1.0, 31.5), (2.0, 35.0)]}
    png = draw(rec, tmp_path / "c.png", "t")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert draw(CurveRecorder(), tmp_path / "none.png", "t") is None


def test_an_interrupted_bar_stays_where_it_stopped_and_a_resumed_one_starts_there():
    """issue 23: bars jumped to 45/45 on Ctrl-C."""
    from papernotes.repro.experiment.progress import RichArms

    console = Console(file=io.StringIO(), width=120, force_terminal=True)
    bar = RichProgress(console=console)
    stopped = [{"event": "start", "epochs": 2, "steps_per_epoch": 2, "steps_total": 4, "start_step": 1},
               {"event": "phase", "name": "pretrain", "total": 4},
               {"event": "step", "step": 2, "epoch": 1.0, "metrics": {"train/loss": 4.0}},
               {"event": "end", "status": "interrupted", "step": 3}]
    for e in stopped:
        bar(e)
    (task,) = bar.progress.tasks
    assert (task.completed, task.total) == (3, 4)
    bar.close()
    arms = RichArms()
    sink = arms.sink("baseline s0")
    sink({"event": "start", "steps_total": 45, "start_step": 17})
    assert arms.progress.tasks[0].completed == 17  # a resumed arm's bar starts at its step
    sink({"event": "end", "status": "interrupted", "step": 20})
    assert arms.progress.tasks[0].completed == 20
    done = arms.sink("patch s0")
    done({"event": "start", "steps_total": 45, "start_step": 0})
    done({"event": "end", "status": "finished", "step": 45})
    assert arms.progress.tasks[1].completed == 45
    arms.close()
