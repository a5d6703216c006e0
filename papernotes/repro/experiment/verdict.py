"""The verdict of a paired experiment: does the patch move the metric as it predicted?

Each seed runs both arms (baseline and patch), so the evidence is the paired differences
d_i = patch_i - baseline_i. Their mean with a 95% confidence interval from Student's t
distribution over the N seeds (N - 1 degrees of freedom) decides, for an expectation
`METRIC >= +DELTA` (or its mirror `METRIC <= -DELTA`):

- verified: the interval lies wholly on the predicted side of zero (the effect is real) and
  the mean difference reaches DELTA (it is as large as predicted);
- refuted: the interval lies wholly short of DELTA (an effect of the predicted size is ruled out);
- inconclusive otherwise, with about how many seeds would settle it if the mean and spread of
  the differences stayed as measured.

Standard library only: the t quantile comes from the regularised incomplete beta function
(continued fraction, Numerical Recipes 3rd ed. §6.4) inverted by bisection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from papernotes.notes.model.ideas_model import Expectation, PatchStatus, Verdict

LEVEL = 0.95
MAX_SEEDS = 1000  # "would likely settle it" beyond this many seeds reads as "not with seeds"


def _betacf(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p (0.5 < p < 1), by bisection to double precision."""
    if not 0.5 < p < 1.0:
        raise ValueError("p must lie in (0.5, 1)")
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return 0.5 * (lo + hi)


def mean_sd(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (n - 1); the deviation of one value is 0."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))


@dataclass(frozen=True)
class Comparison:
    """Paired numbers on one metric."""

    n: int
    baseline_mean: float
    baseline_sd: float
    patch_mean: float
    patch_sd: float
    diff_mean: float
    diff_sd: float
    ci_low: float
    ci_high: float


def compare(baseline: list[float], patch: list[float], level: float = LEVEL) -> Comparison:
    """Means, deviations and the confidence interval of the mean paired difference."""
    if len(baseline) != len(patch):
        raise ValueError("the arms must have one value per seed each")
    n = len(baseline)
    if n < 2:
        raise ValueError("a confidence interval needs at least two seeds")
    diffs = [p - b for b, p in zip(baseline, patch)]
    d_mean, d_sd = mean_sd(diffs)
    half = t_quantile(0.5 + level / 2.0, n - 1) * d_sd / math.sqrt(n)
    return Comparison(n, *mean_sd(baseline), *mean_sd(patch), d_mean, d_sd, d_mean - half,
                      d_mean + half)


def _oriented(c: Comparison, e: Expectation) -> tuple[float, float, float, float]:
    """(mean, low, high, delta) turned so the prediction reads `>= +delta`."""
    if e.sign > 0:
        return c.diff_mean, c.ci_low, c.ci_high, e.delta
    return -c.diff_mean, -c.ci_high, -c.ci_low, -e.delta


def decide(c: Comparison, e: Expectation) -> PatchStatus:
    mean, low, high, delta = _oriented(c, e)
    if low > 0 and mean >= delta:
        return PatchStatus.verified
    if high < delta:
        return PatchStatus.refuted
    return PatchStatus.inconclusive


def seeds_to_settle(c: Comparison, e: Expectation, level: float = LEVEL) -> int | None:
    """The smallest number of seeds at which the interval, with the measured mean and spread of
    the differences, would settle the question (None: not within MAX_SEEDS)."""
    mean, _, _, delta = _oriented(c, e)
    margin = mean if mean >= delta else delta - mean  # how far the interval's edge may reach
    if margin <= 0:
        return None
    if c.diff_sd == 0:
        return c.n + 1
    for n in range(c.n + 1, MAX_SEEDS + 1):
        if t_quantile(0.5 + level / 2.0, n - 1) * c.diff_sd / math.sqrt(n) < margin:
            return n
    return None


def verdict(baseline: list[float], patch: list[float], e: Expectation,
            link: str = "") -> tuple[PatchStatus, Verdict, Comparison]:
    """The status and the numbers the note records."""
    c = compare(baseline, patch)
    status = decide(c, e)
    needed = seeds_to_settle(c, e) if status is PatchStatus.inconclusive else None
    return status, Verdict(n=c.n, baseline_mean=c.baseline_mean, baseline_sd=c.baseline_sd,
                           patch_mean=c.patch_mean, patch_sd=c.patch_sd, diff_mean=c.diff_mean,
                           ci_low=c.ci_low, ci_high=c.ci_high, seeds_needed=needed,
                           link=link), c
