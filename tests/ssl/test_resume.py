"""Kill-and-resume: a run killed at a checkpoint (SIGKILL) or stopped (SIGTERM) and resumed with
--resume ends with exactly the metrics and weights of a run never interrupted (CPU, deterministic)."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from papernotes.repro.launch.layout import LINEAR_EVAL, checkpoint_file
from papernotes.ssl.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state

CONFIG = {
    "data": {"num_train": 128, "num_test": 64},
    "model": {"base_channels": 4, "cifar_stem": False},
    "train": {"epochs": 3, "batch_size": 32, "device": "cpu", "channels_last": False, "log_every": 2,
              "threads": 1, "deterministic": True, "checkpoint_every": 1},
    "optim": {"base_lr": 1.0, "weight_decay": 1e-4, "warmup_epochs": 1},
    "eval": {"linear_method": "lbfgs", "linear_epochs": 2, "knn_k": 10},
    "simclr": {"temperature": 0.2},
}


def _start(tmp_path, name, resume=False):
    cfg = dict(CONFIG, out_dir=str(tmp_path / name))
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(cfg))
    events = tmp_path / f"{name}{'-resume' if resume else ''}.jsonl"
    cmd = [sys.executable, "-m", "papernotes.ssl.pretrain", "--config", str(path), "--events", str(events), "--quiet"]
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.Popen(cmd + (["--resume"] if resume else []), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, events


def _events(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _wait_for_checkpoint(proc, events):
    deadline = time.time() + 120
    while time.time() < deadline:
        if any(e["event"] == "checkpoint" for e in _events(events)):
            return
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.02)
    raise AssertionError("no checkpoint within 120 s")


def _final(tmp_path, name, events):
    end = [e for e in _events(events) if e["event"] == "end"][-1]
    weights = load_checkpoint(checkpoint_file(tmp_path / name))
    report = json.loads((tmp_path / name / LINEAR_EVAL).read_text())
    return end, weights, report


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_and_resumed_run_equals_uninterrupted(tmp_path, sig):
    ref, ref_events = _start(tmp_path, "ref")
    victim, victim_events = _start(tmp_path, "victim")
    _wait_for_checkpoint(victim, victim_events)
    victim.send_signal(sig)
    rc = victim.wait(timeout=120)
    early = _events(victim_events)
    if sig == signal.SIGKILL:
        assert rc == -signal.SIGKILL and not any(e["event"] == "end" for e in early)
    else:
        assert rc == 130
        end = early[-1]
        assert end["event"] == "end" and end["status"] == "interrupted" and end["step"] < 12
        assert load_checkpoint(checkpoint_file(tmp_path / "victim"))["step"] == end["step"]
    resumed, resumed_events = _start(tmp_path, "victim", resume=True)
    assert resumed.wait(timeout=180) == 0, resumed.stderr.read()
    assert ref.wait(timeout=180) == 0, ref.stderr.read()
    start = _events(resumed_events)[0]
    assert start["event"] == "start" and 0 < start["start_step"] < 12
    ref_end, ref_w, ref_report = _final(tmp_path, "ref", ref_events)
    res_end, res_w, res_report = _final(tmp_path, "victim", resumed_events)
    assert res_end["status"] == "finished" and res_end["step"] == ref_end["step"] == 12
    assert res_end["metrics"] == ref_end["metrics"]  # bitwise: floats compared exactly
    assert res_report == ref_report
    for key, value in ref_w["model"].items():
        assert torch.equal(value, res_w["model"][key]), key
    for key, value in ref_w["probe"].items():
        assert torch.equal(value, res_w["probe"][key]), key


def test_rng_state_round_trip_through_weights_only_load(tmp_path):
    gen = torch.Generator().manual_seed(3)
    torch.manual_seed(1), random.seed(2), np.random.seed(4)
    path = save_checkpoint(tmp_path / "c.pt", {"rng": rng_state(gen), "step": 7, "config": {"a": None, "b": "x"}})
    expected = (torch.rand(3), random.random(), np.random.rand(), torch.rand(2, generator=gen))
    torch.manual_seed(99), random.seed(99), np.random.seed(99), gen.manual_seed(99)
    state = load_checkpoint(path)
    set_rng_state(state["rng"], gen)
    got = (torch.rand(3), random.random(), np.random.rand(), torch.rand(2, generator=gen))
    assert torch.equal(got[0], expected[0]) and got[1] == expected[1] and got[2] == expected[2]
    assert torch.equal(got[3], expected[3]) and state["step"] == 7 and state["config"] == {"a": None, "b": "x"}


def test_a_stop_while_torch_loads_is_exit_130_without_a_traceback(tmp_path):
    # Ctrl-C on an `idea run` reaches an arm still importing torch: it must read as stopped (130,
    # the arm KILLED and resumed), not as a crash (KeyboardInterrupt traceback, exit 1, FAILED)
    proc, _ = _start(tmp_path, "early")
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        with open(f"/proc/{proc.pid}/maps") as maps:
            if "torch/lib/" in maps.read():  # torch's import has begun
                break
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(timeout=120)
    err = proc.stderr.read()
    assert rc == 130 and "Traceback" not in err, err
