"""Learning-rate scaling and the warm-up + cosine schedule at known steps."""

import math
from dataclasses import replace

import pytest

from papernotes.ssl.config import OptimConfig
from papernotes.ssl.optim.schedule import lr_at, peak_lr, warmup_steps


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
