"""Real subprocess launches: 2 CPU ranks through torchrun, and a run killed then resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from papernotes.notes.format.regions import region_body
from papernotes.repro.launch.layout import checkpoint_file
from papernotes.repro.results.writeback import existing_runs

from .conftest import NOTE, TINY, tiny_args


def papernotes(*args: str, cwd: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("MLFLOW_TRACKING_URI", None)
    return subprocess.Popen([sys.executable, "-m", "papernotes", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def runs_of(root: Path):
    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
    exp = client.get_experiment_by_name("simclr")
    return client, client.search_runs([exp.experiment_id])


@pytest.mark.slow  # torchrun + 2 ranks + evaluation: ~45 s on the shared 2-core machine
def test_two_cpu_ranks_make_exactly_one_finished_run(ws):
    proc = papernotes("repro", "simclr", "--profile", "demo", "--device", "cpu",
                      "--nproc-per-node", "2", *tiny_args(), cwd=ws)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    _, runs = runs_of(ws)
    assert len(runs) == 1
    run = runs[0]
    assert run.info.status == "FINISHED" and run.data.params["world_size"] == "2"
    assert run.data.params["train.sync_bn"] == "False"  # CPU ranks: no SyncBatchNorm
    assert 0 <= run.data.metrics["eval/linear_top1"] <= 100
    text = (ws / "notes" / "simclr.md").read_bytes().decode("utf-8")
    rows, _ = existing_runs(region_body(text, "repro"))
    assert text.startswith(NOTE) and len(rows) == 1 and "2x " in rows[0]


@pytest.mark.slow  # a real run killed mid-training, then resumed: ~60 s
def test_killed_run_keeps_note_and_resume_continues_the_same_mlflow_run(ws):
    longer = []
    for item in TINY:
        if not item.startswith(("train.max_steps", "train.epochs", "data.num_train")):
            longer += ["--set", item]
    longer += ["--set", "train.epochs=30", "--set", "data.num_train=256", "--set", "train.max_steps=24"]
    proc = papernotes("repro", "simclr", "--profile", "demo", "--device", "cpu", *longer, cwd=ws)
    lines = []
    deadline = time.monotonic() + 240
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("epoch 1/30"):
            break
        assert time.monotonic() < deadline, "".join(lines)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    out = "".join(lines) + out
    assert proc.returncode == 130, out
    assert "--resume" in out and "Traceback" not in out
    assert (ws / "notes" / "simclr.md").read_bytes() == NOTE.encode("utf-8")
    client, runs = runs_of(ws)
    assert [r.info.status for r in runs] == ["KILLED"]
    run_id = runs[0].info.run_id
    assert checkpoint_file(ws / "runs" / "simclr-demo" / run_id).is_file()
    assert f"--resume {run_id}" in out  # the hint names the run to continue
    last = max(m.step for m in client.get_metric_history(run_id, "train/loss"))
    resumed = papernotes("repro", "simclr", "--profile", "demo", "--device", "cpu", "--resume",
                         cwd=ws)  # no --set: a resume continues the config the run ran
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, out
    _, runs = runs_of(ws)
    assert [(r.info.run_id, r.info.status) for r in runs] == [(run_id, "FINISHED")]
    steps = [m.step for m in client.get_metric_history(run_id, "train/loss")]
    assert max(steps) > last
    text = (ws / "notes" / "simclr.md").read_bytes().decode("utf-8")
    rows, _ = existing_runs(region_body(text, "repro"))
    assert text.startswith(NOTE) and len(rows) == 1 and run_id in rows[0]


@pytest.mark.slow  # torchrun + 2 ranks, stopped early: ~40 s on the shared 2-core machine
def test_sigint_to_a_background_ddp_run_stops_it(ws):
    """A job started in the background (`papernotes repro ... &`) inherits SIGINT ignored; before
    issue 23 `kill -INT` to it was ignored and the run trained to its end."""
    longer = []
    for item in TINY:
        if not item.startswith(("train.max_steps", "train.epochs", "data.num_train")):
            longer += ["--set", item]
    longer += ["--set", "train.epochs=30", "--set", "data.num_train=256"]
    proc = papernotes("repro", "simclr", "--profile", "demo", "--device", "cpu", "--nproc-per-node",
                      "2", *longer, cwd=ws,
                      preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    base = ws / "runs" / "simclr-demo"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        events = list(base.glob("*/events-*.jsonl")) if base.is_dir() else []
        if any('"event": "step"' in e.read_text(encoding="utf-8") for e in events):
            break
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 130, out
    assert "Traceback" not in out and "--resume" in out
    _, runs = runs_of(ws)
    assert [r.info.status for r in runs] == ["KILLED"]
    steps = [m.step for m in MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
             .get_metric_history(runs[0].info.run_id, "train/loss")]
    assert max(steps) < 30 * 8  # stopped, not trained to its end
