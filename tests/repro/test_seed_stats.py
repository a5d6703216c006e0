"""Mean, sd, n and the 95% t interval over seeds, against values worked out by hand."""

from __future__ import annotations

import pytest

from papernotes.repro.results.seed_stats import summarize, summarize_runs

# 30.0, 31.0, 29.5: mean 30.1667, sd 0.763763; t(0.975, 2) = 4.302653, se = 0.440959,
# half width 1.897293: [28.269374, 32.063960].


def test_three_seeds_worked_by_hand():
    s = summarize([30.0, 31.0, 29.5])
    assert s.n == 3
    assert s.mean == pytest.approx(30.166667, abs=1e-6)
    assert s.sd == pytest.approx(0.763763, abs=1e-6)
    assert (s.ci_low, s.ci_high) == (pytest.approx(28.269374, abs=1e-5), pytest.approx(32.063960, abs=1e-5))
    assert s.text() == "30.17 ± 0.76 (n=3)"
    assert s.ci_text() == "[28.27, 32.06]"
    assert s.metrics("eval/linear_top1") == {
        "eval/linear_top1.mean": s.mean, "eval/linear_top1.sd": s.sd, "eval/linear_top1.n": 3.0,
        "eval/linear_top1.ci95_low": s.ci_low, "eval/linear_top1.ci95_high": s.ci_high}


def test_one_seed_says_n_1_and_has_no_interval():
    s = summarize([70.5])
    assert (s.n, s.mean, s.sd, s.ci_low, s.ci_high) == (1, 70.5, 0.0, None, None)
    assert s.text() == "70.50 (n=1)"
    assert s.ci_text() == ""
    assert "eval/x.ci95_low" not in s.metrics("eval/x")


def test_two_equal_seeds_have_a_zero_width_interval():
    s = summarize([10.0, 10.0])
    assert (s.sd, s.ci_low, s.ci_high) == (0.0, 10.0, 10.0)


def test_every_eval_metric_all_runs_carry():
    runs = [{"eval/a": 1.0, "eval/b": 2.0, "train/loss": 3.0}, {"eval/a": 3.0, "train/loss": 1.0}]
    out = summarize_runs(runs)
    assert list(out) == ["eval/a"]
    assert out["eval/a"].mean == 2.0
    with pytest.raises(ValueError):
        summarize([])
