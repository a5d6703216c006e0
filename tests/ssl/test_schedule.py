"""Learning-rate scaling and the warm-up + cosine schedule at known steps."""

import math
from dataclasses import replace

import pytest

from papernotes.ssl.config import OptimConfig
from papernotes.ssl.optim.schedule import end_lr, lr_at, peak_lr, warmup_steps, weight_decay_at


def test_peak_lr_linear_and_sqrt():
    assert peak_lr(OptimConfig(base_lr=0.3), 4096) == pytest.approx(4.8)  # paper: 0.3 x B/256
    assert peak_lr(OptimConfig(base_lr=0.3), 256) == pytest.approx(0.3)
    sq = replace(OptimConfig(), base_lr=0.075, lr_scaling="sqrt")
    assert peak_lr(sq, 4096) == pytest.approx(0.075 * 64)


def test_warmup_then_cosine_values():
    total, warm, peak = 1000, 100, 2.0
    assert lr_at(0, total, warm, peak) == 0.0
    assert lr_at(50, total, warm, peak) == pytest.approx(1.0)
    assert lr_at(99, total, warm, peak) == pytest.approx(1.98)
    assert lr_at(100, total, warm, peak) == pytest.approx(2.0)
    assert lr_at(550, total, warm, peak) == pytest.approx(1.0)  # half-way through the cosine
    q = 100 + 900 // 4
    assert lr_at(q, total, warm, peak) == pytest.approx(peak * 0.5 * (1 + math.cos(math.pi / 4)))
    assert lr_at(1000, total, warm, peak) == pytest.approx(0.0, abs=1e-12)
    assert lr_at(5000, total, warm, peak) == pytest.approx(0.0, abs=1e-12)  # clamped


def test_no_warmup_and_monotone_decay():
    vals = [lr_at(s, 200, 0, 1.0) for s in range(201)]
    assert vals[0] == 1.0
    assert all(a >= b for a, b in zip(vals, vals[1:]))


def test_warmup_steps_rounding():
    assert warmup_steps(10, 97) == 970
    assert warmup_steps(0.5, 9) == 4  # round-half-even of 4.5, as Python's round


def test_swav_warmup_start_and_final_lr():
    # main_swav.py's 800-epoch command: --base_lr 4.8 --final_lr 0.0048 --start_warmup 0.3
    total, warm, peak, start, end = 1000, 100, 4.8, 0.3, 0.0048
    assert lr_at(0, total, warm, peak, start, end) == pytest.approx(0.3)
    assert lr_at(50, total, warm, peak, start, end) == pytest.approx(0.3 + 4.5 / 2)
    assert lr_at(100, total, warm, peak, start, end) == pytest.approx(4.8)
    assert lr_at(550, total, warm, peak, start, end) == pytest.approx((4.8 + 0.0048) / 2)
    assert lr_at(1000, total, warm, peak, start, end) == pytest.approx(0.0048)
    assert lr_at(9999, total, warm, peak, start, end) == pytest.approx(0.0048)  # clamped


def _cosine_scheduler(base, final, total, warmup=0, start=0.0):
    """DINO utils.cosine_scheduler transcribed (numpy there): linspace warm-up, cosine over the rest."""
    warm = [start + (base - start) * i / (warmup - 1) for i in range(warmup)] if warmup else []
    n = total - warmup
    return warm + [final + 0.5 * (base - final) * (1 + math.cos(math.pi * i / n)) for i in range(n)]


def test_dino_weight_decay_cosine_matches_the_official_scheduler():
    total = 37
    official = _cosine_scheduler(0.04, 0.4, total)  # main_dino.py wd_schedule: 0.04 -> 0.4, no warm-up
    ours = [weight_decay_at(i, total, 0.04, 0.4) for i in range(total)]
    assert ours == pytest.approx(official, rel=1e-12)
    assert ours[0] == pytest.approx(0.04) and weight_decay_at(total, total, 0.04, 0.4) == pytest.approx(0.4)
    # the lr's cosine after the warm-up ends at --min_lr the same way
    lr = _cosine_scheduler(1e-3, 1e-6, total)
    assert [lr_at(i, total, 0, 1e-3, 0.0, 1e-6) for i in range(total)] == pytest.approx(lr, rel=1e-12)


def test_barlow_twins_end_lr_is_a_fraction_of_the_peak():
    # main.py adjust_learning_rate: end_lr = base_lr * 0.001, lr = base_lr * q + end_lr * (1 - q)
    optim = replace(OptimConfig(), base_lr=0.2, final_lr_ratio=0.001)
    peak = peak_lr(optim, 2048)
    assert end_lr(optim, peak) == pytest.approx(0.0016)
    total, warm = 500, 50
    for step in (50, 123, 275, 499, 500):
        q = 0.5 * (1 + math.cos(math.pi * (step - warm) / (total - warm)))
        assert lr_at(step, total, warm, peak, 0.0, end_lr(optim, peak)) == pytest.approx(peak * q + 0.0016 * (1 - q))
    assert end_lr(replace(OptimConfig(), final_lr=1e-6), peak) == 1e-6  # DINO --min_lr: absolute
    assert end_lr(OptimConfig(), peak) == 0.0  # simclr: to 0


@pytest.mark.parametrize("field,value,needle", [
    ("final_lr", -1.0, "must be >= 0"), ("weight_decay_end", -0.1, "must be >= 0"),
    ("final_lr_ratio", 2.0, "at most 1"), ("warmup_start_lr", -0.3, "must be >= 0"),
])
def test_schedule_values_are_checked(field, value, needle):
    from papernotes.ssl.config import ConfigError, config_from_dict

    with pytest.raises(ConfigError, match=needle) as err:
        config_from_dict({"optim": {field: value}})
    assert f"optim.{field}" in str(err.value)
    with pytest.raises(ConfigError, match="not both"):
        config_from_dict({"optim": {"final_lr": 1e-6, "final_lr_ratio": 0.001}})


def test_the_loop_follows_the_end_values_and_decays_only_the_decayed_group(tmp_path):

    from papernotes.repro.launch.layout import checkpoint_file
    from papernotes.ssl.checkpoint import load_checkpoint
    from papernotes.ssl.config import config_from_dict
    from papernotes.ssl.pretrain import run

    cfg = config_from_dict({
        "data": {"num_train": 128, "num_test": 32}, "model": {"base_channels": 4, "cifar_stem": False},
        "train": {"epochs": 2, "batch_size": 32, "device": "cpu", "channels_last": False, "log_every": 1,
                  "threads": 1},
        "optim": {"base_lr": 1.0, "warmup_epochs": 1, "warmup_start_lr": 0.05, "final_lr": 0.01,
                  "weight_decay": 0.04, "weight_decay_end": 0.4},
        "eval": {"linear_method": "lbfgs", "linear_epochs": 1, "knn_k": 5, "monitor_every": 0,
                 "random_init_baseline": False, "online_probe": False},
        "out_dir": str(tmp_path / "run")})
    events = []
    assert run(cfg, sink=events.append)["status"] == "finished"
    lrs = [e["metrics"]["train/lr"] for e in events if e["event"] == "step"]  # event k+1: step k's lr
    peak = 1.0 * 32 / 256
    assert lrs == pytest.approx([lr_at(k, 8, 4, peak, 0.05, 0.01) for k in range(8)])
    assert lrs[0] == pytest.approx(0.05) and lrs[-1] > 0.01
    groups = load_checkpoint(checkpoint_file(tmp_path / "run"))["optimizer"]["param_groups"]
    assert groups[0]["weight_decay"] == pytest.approx(weight_decay_at(7, 8, 0.04, 0.4))  # the last step's
    assert [g["weight_decay"] for g in groups[1:]] == [0.0]  # biases and BN: out of decay, schedule or not
