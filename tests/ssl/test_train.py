import json

import pytest
import torch

from papernotes.repro.launch.layout import ENGINE_CONFIG, LINEAR_EVAL, checkpoint_file
from papernotes.ssl.checkpoint import load_checkpoint
from papernotes.ssl.config import config_from_dict
from papernotes.ssl.data.loader import IndexSampler
from papernotes.ssl.pretrain import run

EVENT_KEYS = {
    "start": {"world_size", "device", "epochs", "steps_per_epoch", "steps_total", "start_step", "dataset", "torch",
              "cuda", "hardware"},
    "phase": {"name", "total"}, "progress": {"phase", "done", "total"}, "step": {"step", "epoch", "metrics"},
    "epoch": {"step", "epoch", "metrics"}, "checkpoint": {"step", "path"}, "eval": {"metrics", "report", "protocol"},
    "end": {"status", "step", "checkpoint", "wall_time_s", "metrics"},
}


def test_sampler_shards_a_shared_epoch_permutation():
    ranks = [IndexSampler(103, 20, rank=r, world_size=4, seed=5) for r in range(4)]
    assert ranks[0].steps_per_epoch == 5  # drop_last
    for step in (0, 4, 5, 9):
        parts = [s.indices(step) for s in ranks]
        assert all(p.shape == (5,) for p in parts)
        joined = torch.cat(parts)
        assert joined.unique().numel() == 20  # disjoint slices of one global batch
    epoch0 = torch.cat([ranks[0].indices(s) for s in range(5)])
    again = IndexSampler(103, 20, rank=0, world_size=4, seed=5)
    assert torch.equal(epoch0, torch.cat([again.indices(s) for s in range(5)]))  # pure function of seed
    assert not torch.equal(ranks[0].indices(0), ranks[0].indices(5))  # new permutation each epoch


def _tiny(tmp_path, **train):
    return config_from_dict({
        "data": {"num_train": 256, "num_test": 64},
        "model": {"base_channels": 8, "cifar_stem": False},
        "train": {"epochs": 6, "batch_size": 64, "device": "cpu", "channels_last": False, "log_every": 4,
                  "threads": 2, **train},
        "optim": {"base_lr": 1.0, "weight_decay": 1e-4, "warmup_epochs": 1},
        "eval": {"linear_epochs": 3, "knn_k": 20},
        "simclr": {"temperature": 0.2},
        "out_dir": str(tmp_path / "run"),
    })


@pytest.mark.slow
def test_training_lowers_the_loss_and_emits_the_documented_events(tmp_path):
    events = []
    result = run(_tiny(tmp_path), sink=events.append)
    kinds = [e["event"] for e in events]
    for e in events:
        assert set(e) - {"event"} == EVENT_KEYS[e["event"]], e["event"]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("epoch") == 6
    assert [e["name"] for e in events if e["event"] == "phase"] == ["pretrain", "knn_eval", "linear_eval",
                                                                     "random_init_eval"]
    losses = [e["metrics"]["train/loss"] for e in events if e["event"] == "step"]
    assert len(losses) == 6 and losses[-1] < losses[0] - 0.2
    lrs = [e["metrics"]["train/lr"] for e in events if e["event"] == "step"]
    assert max(lrs) <= 1.0 * 64 / 256 and lrs[-1] < lrs[1]  # warm-up then cosine decay
    assert result["status"] == "finished" and events[-1]["metrics"] == {k: v for k, v in result.items() if k != "status"}
    for key in ("eval/linear_top1", "eval/random_init_linear_top1", "eval/knn_top1", "monitor/online_top1"):
        assert 0 <= result[key] <= 100
    out = tmp_path / "run"
    report = json.loads((out / LINEAR_EVAL).read_text())
    assert report["simclr"]["top1"] == result["eval/linear_top1"]
    assert report["random_init"]["top1"] == result["eval/random_init_linear_top1"]
    assert json.loads((out / ENGINE_CONFIG).read_text())["train"]["epochs"] == 6
    state = load_checkpoint(checkpoint_file(out))  # weights_only=True inside
    assert state["step"] == 24 and "encoder.conv1.weight" in state["model"]


def test_max_steps_stops_early_without_changing_the_schedule(tmp_path):
    events = []
    run(_tiny(tmp_path, max_steps=4, epochs=2), sink=events.append)
    steps = [e for e in events if e["event"] == "step"]
    assert steps[-1]["step"] == 4 and events[-1]["step"] == 4


@pytest.mark.slow
def test_two_gloo_processes_under_torchrun_rank0_alone_writes(tmp_path):
    import subprocess
    import sys

    cfg = {"data": {"num_train": 128, "num_test": 64}, "model": {"base_channels": 4, "cifar_stem": False},
           "train": {"epochs": 1, "batch_size": 32, "device": "cpu", "channels_last": False, "log_every": 2,
                     "threads": 1}, "eval": {"linear_method": "lbfgs", "linear_epochs": 1, "knn_k": 10},
           "out_dir": str(tmp_path / "out")}
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    events = tmp_path / "e.jsonl"
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                           "--rdzv_backend", "c10d", "--rdzv_endpoint", "localhost:0", "-m",
                           "papernotes.ssl.pretrain", "--config", str(tmp_path / "c.json"), "--events", str(events)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["event"] for e in got].count("start") == 1 and got[0]["world_size"] == 2
    assert proc.stdout.count("[start]") == 1  # rank 0 alone prints
    assert got[-1]["status"] == "finished" and got[-1]["step"] == 4  # 128 // 32 steps, each rank 16 pairs
    assert load_checkpoint(checkpoint_file(tmp_path / "out"))["step"] == 4



@pytest.mark.slow
def test_compiled_training_matches_eager_and_saves_plain_weights(tmp_path):
    """`train.compile` (torch.compile; inductor on CPU here) gives the eager losses to float
    tolerance, and its checkpoint holds the plain module's keys, so an eager run resumes it."""
    common = dict(epochs=1, log_every=1, max_steps=3)
    eager, compiled, resumed = [], [], []
    run(_tiny(tmp_path / "eager", **common), sink=eager.append)
    run(_tiny(tmp_path / "compiled", compile=True, **common), sink=compiled.append)
    loss = lambda events: [e["metrics"]["train/loss"] for e in events if e["event"] == "step"]  # noqa: E731
    assert len(loss(compiled)) == 3
    assert loss(compiled) == pytest.approx(loss(eager), rel=1e-3)
    state = load_checkpoint(checkpoint_file(tmp_path / "compiled" / "run"))
    assert state["step"] == 3 and not any("_orig_mod" in k for k in state["model"])
    assert state["model"].keys() == load_checkpoint(checkpoint_file(tmp_path / "eager" / "run"))["model"].keys()
    result = run(_tiny(tmp_path / "compiled", epochs=1, log_every=1), sink=resumed.append, resume=True)
    assert resumed[0]["start_step"] == 3 and result["status"] == "finished"


def test_explicit_bf16_autocasts_on_cpu_too_and_keeps_fp32_weights(tmp_path):
    """`precision: bf16` is honoured on any device (auto means bf16 on CUDA only): the losses
    stay near fp32's, the master weights stay fp32."""
    common = dict(epochs=1, log_every=1, max_steps=2)
    fp32, bf16 = [], []
    run(_tiny(tmp_path / "fp32", precision="fp32", **common), sink=fp32.append)
    run(_tiny(tmp_path / "bf16", precision="bf16", **common), sink=bf16.append)
    loss = lambda events: [e["metrics"]["train/loss"] for e in events if e["event"] == "step"]  # noqa: E731
    assert loss(bf16) == pytest.approx(loss(fp32), rel=2e-2) and loss(bf16) != loss(fp32)
    state = load_checkpoint(checkpoint_file(tmp_path / "bf16" / "run"))
    assert all(v.dtype == torch.float32 for v in state["model"].values() if v.is_floating_point())
