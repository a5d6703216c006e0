"""Stopping and resuming under DDP (2 gloo ranks through torchrun, CPU, deterministic).

A run stopped mid-epoch (by --max-steps, or by SIGTERM sent to torchrun, which forwards it to
every rank) and resumed with --resume ends with exactly the weights and metrics of a 2-rank run
never interrupted: the ranks agree on the step they stop at, and each rank gets back its own
part of the running epoch loss.
"""

import json
import signal
import subprocess
import sys
import time

import pytest
import torch

from papernotes.repro.launch.layout import checkpoint_file
from papernotes.ssl.checkpoint import load_checkpoint

CONFIG = {
    "data": {"num_train": 128, "num_test": 64},
    "model": {"base_channels": 8, "cifar_stem": False},
    "train": {"epochs": 3, "batch_size": 32, "device": "cpu", "channels_last": False, "log_every": 1,
              "threads": 1, "deterministic": True, "checkpoint_every": 0},
    "optim": {"base_lr": 1.0, "weight_decay": 1e-4, "warmup_epochs": 1},
    "eval": {"linear_method": "lbfgs", "linear_epochs": 2, "knn_k": 10},
    "simclr": {"temperature": 0.2},
}
STEPS = 12  # 3 epochs of 128 / 32


def _launch(tmp_path, name, *, resume=False, **train):
    cfg = {**CONFIG, "train": {**CONFIG["train"], **train}, "out_dir": str(tmp_path / name)}
    path = tmp_path / f"{name}{'-resume' if resume else ''}.json"
    path.write_text(json.dumps(cfg))
    events = tmp_path / f"{name}{'-resume' if resume else ''}.jsonl"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
           "--rdzv_backend", "c10d", "--rdzv_endpoint", "localhost:0", "-m", "papernotes.ssl.pretrain",
           "--config", str(path), "--events", str(events), "--quiet"] + (["--resume"] if resume else [])
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), events


def _events(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _finish(proc, timeout=300):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def _final(tmp_path, name, events):
    end = [e for e in _events(events) if e["event"] == "end"][-1]
    return end, load_checkpoint(checkpoint_file(tmp_path / name))


def _epochs(path):
    return {e["epoch"]: e["metrics"] for e in _events(path) if e["event"] == "epoch"}


def _worker(torchrun_pid: int, rank: int):
    import psutil

    for child in psutil.Process(torchrun_pid).children(recursive=True):
        try:
            if child.environ().get("RANK") == str(rank) and "papernotes.ssl.pretrain" in " ".join(child.cmdline()):
                return child
        except psutil.Error:
            continue
    return None


def _same_weights(a, b):
    for part in ("model", "probe"):
        for key, value in a[part].items():
            assert torch.equal(value, b[part][key]), (part, key)


@pytest.mark.slow
def test_ddp_stop_and_resume_equal_an_uninterrupted_run(tmp_path):
    ref, ref_events = _launch(tmp_path, "ref")
    rc, err = _finish(ref)
    assert rc == 0, err[-3000:]
    ref_end, ref_state = _final(tmp_path, "ref", ref_events)
    assert ref_end["status"] == "finished" and ref_end["step"] == STEPS

    # 1. stopped mid-epoch 2 by max_steps (deterministic), resumed to the end
    stopped, ev = _launch(tmp_path, "capped", max_steps=6)
    rc, err = _finish(stopped)
    assert rc == 0, err[-3000:]
    assert load_checkpoint(checkpoint_file(tmp_path / "capped"))["step"] == 6
    resumed, ev = _launch(tmp_path, "capped", resume=True)
    rc, err = _finish(resumed)
    assert rc == 0, err[-3000:]
    end, state = _final(tmp_path, "capped", ev)
    assert _events(ev)[0]["start_step"] == 6
    assert end["status"] == "finished" and end["metrics"] == ref_end["metrics"]  # floats, exactly
    assert _epochs(ev) == {e: m for e, m in _epochs(ref_events).items() if e >= 2}  # epoch 2 spans the stop
    _same_weights(ref_state, state)

    # 2. SIGTERM to rank 1 alone while training (a scheduler or a stray kill): rank 0 must stop at
    #    the same step rather than wait forever in the next collective
    victim, ev = _launch(tmp_path, "victim", checkpoint_every=1)
    deadline = time.time() + 240
    while not any(e["event"] == "step" and e["step"] >= 2 for e in _events(ev)):
        assert victim.poll() is None and time.time() < deadline, victim.communicate()[1][-3000:]
        time.sleep(0.05)
    rank1 = _worker(victim.pid, 1)
    assert rank1 is not None
    rank1.send_signal(signal.SIGTERM)
    rc, err = _finish(victim, timeout=120)  # no rank left waiting in a collective
    early = _events(ev)
    assert early[-1]["event"] == "end" and early[-1]["status"] == "interrupted", err[-3000:]
    stopped_at = early[-1]["step"]
    assert 2 <= stopped_at < STEPS
    assert load_checkpoint(checkpoint_file(tmp_path / "victim"))["step"] == stopped_at
    resumed, ev = _launch(tmp_path, "victim", resume=True, checkpoint_every=1)
    rc, err = _finish(resumed)
    assert rc == 0, err[-3000:]
    end, state = _final(tmp_path, "victim", ev)
    assert _events(ev)[0]["start_step"] == stopped_at
    assert end["status"] == "finished" and end["metrics"] == ref_end["metrics"]
    assert _epochs(ev) == {e: m for e, m in _epochs(ref_events).items() if e * 4 > stopped_at}
    _same_weights(ref_state, state)
