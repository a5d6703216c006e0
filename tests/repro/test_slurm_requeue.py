"""A `repro --slurm` job end to end through submitit's local executor (the same code path as
SLURM, with no cluster): submit, SIGUSR1 mid-run, checkpoint, requeue, resume, finish. One MLflow
run with every step once, one note row, and the checkpoint and final metrics bitwise those of an
uninterrupted run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from mlflow.tracking import MlflowClient

from papernotes.core import locks
from papernotes.notes.format.regions import region_body
from papernotes.repro.launch.layout import LOCK_FILE, checkpoint_file
from papernotes.repro.results.writeback import existing_runs

from .conftest import NOTE, TINY

STEPS = 48  # 12 epochs of 4 steps: the signal (at step 4) lands well before the end
SETS = [w for item in TINY if not item.startswith(("train.max_steps", "train.epochs"))
        for w in ("--set", item)] + ["--set", "train.epochs=12", "--set", "train.checkpoint_every=4"]


def papernotes(ws: Path, *args: str) -> tuple[int, str]:
    """Exit code and output; the output goes through a file, since the local executor's job
    inherits it (a pipe would stay open until the job ends)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PAPERNOTES_SUBMITIT_CLUSTER": "local", "COLUMNS": "200"}
    env.pop("MLFLOW_TRACKING_URI", None)
    out = ws / f"out-{time.monotonic_ns()}.txt"
    with out.open("w", encoding="utf-8") as fh:
        code = subprocess.run([sys.executable, "-m", "papernotes", *args], cwd=ws, env=env,
                              stdout=fh, stderr=subprocess.STDOUT, timeout=900).returncode
    return code, out.read_text(encoding="utf-8")


def wait_for(what, deadline_s: float, why: str):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        found = what()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {why}")


@pytest.mark.slow  # two job starts, a baseline run, evaluations: ~3 min on the loaded 2-core machine
def test_a_preempted_job_requeues_into_the_same_run_bitwise_equal_to_an_uninterrupted_one(ws):
    _, out = papernotes(ws, "repro", "simclr", "--profile", "demo", *SETS, "--slurm", "--partition", "local",
                        "--time", "30:00", "--gpus", "0")
    assert "submitted SLURM job" in out, out
    run_id = re.search(r"MLflow run ([0-9a-f]{32}) SCHEDULED", out).group(1)
    folder = ws / "runs" / "simclr-demo" / run_id
    log = next(iter(re.findall(r"logs: (\S+_log\.out)", out)))
    ckpt = checkpoint_file(folder)
    # the first periodic checkpoint: the job trains; a SIGUSR1 to its task (what SLURM's --signal sends)
    wait_for(ckpt.is_file, 240, "the first periodic checkpoint")
    first_task = locks.holder_pid(folder / LOCK_FILE)
    assert first_task
    os.kill(first_task, signal.SIGUSR1)
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    job_id = re.search(r"submitted SLURM job (\S+):", out).group(1)
    wait_for((folder / "slurm" / f"{job_id}_0_result.pkl").is_file, 600, "the requeued job to finish")
    assert client.get_run(run_id).info.status == "FINISHED"
    text = Path(log).read_text(encoding="utf-8")
    assert "papernotes: SIGUSR1: the ranks stopped at a step boundary" in text, text
    assert "requeueing the job" in text and text.count(f"continues MLflow run {run_id}") == 2, text
    stopped = re.search(r"end: interrupted", text)
    assert stopped is not None, text  # the first start really stopped before the end
    exp = client.get_experiment_by_name("simclr")
    runs = client.search_runs([exp.experiment_id])
    assert [(r.info.run_id, r.info.status) for r in runs] == [(run_id, "FINISHED")]
    run = runs[0]
    for key in run.data.metrics:
        steps = [m.step for m in client.get_metric_history(run_id, key)]
        assert len(steps) == len(set(steps)), (key, steps)
    assert sorted(m.step for m in client.get_metric_history(run_id, "train/lr")) == list(range(1, STEPS + 1))
    note = (ws / "notes" / "simclr.md").read_bytes().decode("utf-8")
    rows, _ = existing_runs(region_body(note, "repro"))
    assert note.startswith(NOTE) and len(rows) == 1 and run_id in rows[0]
    # what the user sees afterwards: the job's state, its log, and --collect with nothing to do
    code, listed = papernotes(ws, "runs")
    assert code == 0 and f"{job_id} COMPLETED" in listed, listed
    code, attached = papernotes(ws, "repro", "simclr", "--attach", run_id[:8])
    assert code == 0 and f"job {job_id} COMPLETED" in attached and "requeueing the job" in attached, attached
    code, collected = papernotes(ws, "runs", "--collect")
    assert code == 0 and "nothing to collect" in collected, collected
    (ws / "notes" / "simclr.md").write_bytes(note.encode("utf-8").replace(rows[0].encode("utf-8") + b"\n", b""))
    code, collected = papernotes(ws, "runs", "--collect")
    again = (ws / "notes" / "simclr.md").read_bytes().decode("utf-8")
    assert code == 0 and existing_runs(region_body(again, "repro"))[0] == rows, collected
    # the same launch straight through, in this process's way (no SLURM, no signal)
    code, straight = papernotes(ws, "repro", "simclr", "--profile", "demo", "--device", "cpu", *SETS)
    assert code == 0, straight
    other = next(r for r in client.search_runs([exp.experiment_id]) if r.info.run_id != run_id)
    assert {k: v for k, v in other.data.metrics.items() if k.startswith("eval/")} == {
        k: v for k, v in run.data.metrics.items() if k.startswith("eval/")}
    a = torch.load(ckpt, weights_only=True)
    b = torch.load(checkpoint_file(ws / "runs" / "simclr-demo" / other.info.run_id), weights_only=True)
    assert a["step"] == b["step"] == STEPS
    for part in ("model", "probe"):
        assert a[part].keys() == b[part].keys()
        for key in a[part]:
            assert torch.equal(a[part][key], b[part][key]), (part, key)
    assert torch.equal(a["epoch_loss"], b["epoch_loss"])
