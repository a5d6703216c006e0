"""The paired verdict against values worked out by hand.

Reference t quantiles t(0.975, df) from any printed Student's t table: 12.706, 4.303, 3.182,
2.776, 2.571, 2.262, 2.145 (df 14), 2.045 (df 29), 1.980 (df 120).
"""

from __future__ import annotations

import math

import pytest

from papernotes.notes.model.ideas_model import PatchStatus, parse_expectation
from papernotes.repro.experiment.verdict import betainc, compare, mean_sd, seeds_to_settle, t_cdf, t_quantile, verdict

TABLE = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 9: 2.262, 14: 2.145, 29: 2.045,
         120: 1.980}

# Three seeds. Baseline 30.0, 31.0, 29.5; patch 28.5, 29.8, 28.0.
# Differences -1.5, -1.2, -1.5: mean -1.4; deviations -0.1, +0.2, -0.1, squares sum 0.06,
# variance 0.06 / 2 = 0.03, sd 0.173205; standard error 0.173205 / sqrt(3) = 0.1;
# interval -1.4 -+ 4.302653 * 0.1 = [-1.830265, -0.969735].
# Baseline mean 30.1667, sd sqrt((0.0278 + 0.6944 + 0.4444) / 2) = 0.763763;
# patch mean 28.7667, sd sqrt((0.0711 + 1.0678 + 0.5878) / 2) = 0.929157.
BASE, PATCH = [30.0, 31.0, 29.5], [28.5, 29.8, 28.0]


def test_t_quantiles_match_the_printed_table():
    for df, t in TABLE.items():
        assert t_quantile(0.975, df) == pytest.approx(t, abs=6e-4), df
    assert t_quantile(0.975, 1e6) == pytest.approx(1.95996, abs=1e-4)  # the normal's 1.96
    assert t_cdf(0.0, 3) == 0.5
    assert t_cdf(-TABLE[4], 4) == pytest.approx(0.025, abs=1e-4)
    # df = 2 has a closed form: P(T <= t) = 1/2 + t / (2 sqrt(2 + t^2))
    for t in (0.3, 1.0, 4.0):
        assert t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), abs=1e-12)
    # I_x(1, 1) = x and I_x(a, 1) = x^a
    assert betainc(1, 1, 0.3) == pytest.approx(0.3, abs=1e-14)
    assert betainc(2.5, 1, 0.6) == pytest.approx(0.6 ** 2.5, abs=1e-12)


def test_paired_interval_worked_by_hand():
    c = compare(BASE, PATCH)
    assert c.n == 3
    assert c.diff_mean == pytest.approx(-1.4, abs=1e-12)
    assert c.diff_sd == pytest.approx(0.173205, abs=1e-6)
    assert (c.ci_low, c.ci_high) == (pytest.approx(-1.830265, abs=1e-5), pytest.approx(-0.969735, abs=1e-5))
    assert (c.baseline_mean, c.baseline_sd) == (pytest.approx(30.166667, abs=1e-5), pytest.approx(0.763763, abs=1e-5))
    assert (c.patch_mean, c.patch_sd) == (pytest.approx(28.766667, abs=1e-5), pytest.approx(0.929157, abs=1e-5))
    assert mean_sd([5.0]) == (5.0, 0.0)
    with pytest.raises(ValueError, match="two seeds"):
        compare([1.0], [2.0])


@pytest.mark.parametrize("expect,status", [
    ("eval/linear_top1 <= -1", PatchStatus.verified),     # interval below 0, mean -1.4 <= -1
    ("eval/linear_top1 <= -2", PatchStatus.refuted),      # whole interval above -2
    ("eval/linear_top1 <= -1.5", PatchStatus.inconclusive),  # -1.5 inside the interval
    ("eval/linear_top1 >= +0", PatchStatus.refuted),      # predicted a rise: interval below 0
    ("eval/linear_top1 >= +1", PatchStatus.refuted),
])
def test_decision(expect, status):
    assert verdict(BASE, PATCH, parse_expectation(expect))[0] is status


def test_verified_needs_the_whole_interval_past_zero_and_the_mean_past_the_effect():
    # differences +1.0, +3.0: mean 2, sd 1.414214, se 1, interval 2 -+ 12.706 = [-10.71, 14.71]
    status, v, _ = verdict([10.0, 10.0], [11.0, 13.0], parse_expectation("m >= +1"))
    assert status is PatchStatus.inconclusive and v.ci_low < 0 < 1 < v.ci_high
    # differences 2.0, 2.2, 1.8, 2.0: mean 2, sd 0.163299, se 0.0816497, half-width
    # 3.182446 * 0.0816497 = 0.259845: [1.740155, 2.259845] -> verified for +2 (the mean reaches
    # 2), inconclusive for +2.1 (mean short, interval reaches it), refuted for +3
    b, p = [0.0] * 4, [2.0, 2.2, 1.8, 2.0]
    assert verdict(b, p, parse_expectation("m >= +2"))[0] is PatchStatus.verified
    assert verdict(b, p, parse_expectation("m >= +2.1"))[0] is PatchStatus.inconclusive
    assert verdict(b, p, parse_expectation("m >= +3"))[0] is PatchStatus.refuted
    assert compare(b, p).ci_low == pytest.approx(1.740155, abs=1e-5)


def test_seeds_to_settle_worked_by_hand():
    # `<= -1.5` with mean -1.4 and sd 0.173205: refuting needs t(n-1) * 0.173205 / sqrt(n) < 0.1,
    # i.e. t / sqrt(n) < 0.57735: n = 14 gives 2.1604 / 3.7417 = 0.57739 (not yet),
    # n = 15 gives 2.1448 / 3.8730 = 0.55379.
    status, v, _ = verdict(BASE, PATCH, parse_expectation("eval/linear_top1 <= -1.5"))
    assert status is PatchStatus.inconclusive and v.seeds_needed == 15
    # `>= +1` on differences +1, +3 (mean 2 >= 1, sd 1.414214): verifying needs
    # t(n-1) * 1.414214 / sqrt(n) < 2: n = 3 gives 4.3027 * 0.8165 = 3.513, n = 4: 3.1824 * 0.7071 = 2.250,
    # n = 5: 2.7764 * 0.6325 = 1.756 < 2.
    c = compare([10.0, 10.0], [11.0, 13.0])
    assert seeds_to_settle(c, parse_expectation("m >= +1")) == 5
    # no effect at all and none predicted: nothing settles a mean that sits on the line
    assert seeds_to_settle(compare([1.0, 2.0], [1.0, 2.0]), parse_expectation("m >= +0")) is None
