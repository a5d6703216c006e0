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

The t distribution is scipy's (`scipy.stats.t`, installed with MLflow); the tests keep the
reference values of a printed t table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from papernotes.notes.model.ideas_model import Expectation, PatchStatus, Verdict

LEVEL = 0.95
MAX_SEEDS = 1000  # "would likely settle it" beyond this many seeds reads as "not with seeds"


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) (scipy.special.betainc)."""
    from scipy.special import betainc as scipy_betainc

    return float(scipy_betainc(a, b, min(max(x, 0.0), 1.0)))


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom (scipy.stats.t)."""
    from scipy.stats import t as student_t

    return float(student_t.cdf(t, df))


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p (0.5 < p < 1), from scipy.stats.t."""
    from scipy.stats import t as student_t

    if not 0.5 < p < 1.0:
        raise ValueError("p must lie in (0.5, 1)")
    return float(student_t.ppf(p, df))


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
