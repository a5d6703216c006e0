"""Mean, spread, count and the 95% t interval of one metric over the seeds of one config.

What `papernotes repro --seeds N` puts on its parent run and into the note's row. The interval
is the mean +- t(0.975, n - 1) * sd / sqrt(n), Student's t from `scipy.stats.t` (the interval
`scipy.stats.t.interval(0.95, n - 1, loc=mean, scale=sd / sqrt(n))` gives); one seed has no
interval (its bounds are None) and an sd of 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL = 0.95


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    sd: float
    ci_low: float | None
    ci_high: float | None

    @property
    def half_width(self) -> float | None:
        return None if self.ci_low is None else (self.ci_high - self.ci_low) / 2.0

    def text(self, digits: int = 2) -> str:
        """`70.12 ± 0.30 (n=3)`; one seed: `70.12 (n=1)`."""
        if self.n < 2:
            return f"{self.mean:.{digits}f} (n=1)"
        return f"{self.mean:.{digits}f} ± {self.sd:.{digits}f} (n={self.n})"

    def ci_text(self, digits: int = 2) -> str:
        """`[69.37, 70.87]`, or "" for one seed."""
        if self.ci_low is None:
            return ""
        return f"[{self.ci_low:.{digits}f}, {self.ci_high:.{digits}f}]"

    def metrics(self, name: str) -> dict[str, float]:
        """The numbers as MLflow metrics on the parent run: `NAME.mean`, `.sd`, `.n`,
        `.ci95_low`, `.ci95_high` (the last two from 2 seeds up)."""
        out = {f"{name}.mean": self.mean, f"{name}.sd": self.sd, f"{name}.n": float(self.n)}
        if self.ci_low is not None:
            out.update({f"{name}.ci95_low": self.ci_low, f"{name}.ci95_high": self.ci_high})
        return out


def summarize(values: list[float], level: float = LEVEL) -> Summary:
    """The summary of one metric's values, one per seed (at least one)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values to summarise")
    mean = math.fsum(values) / n
    if n < 2:
        return Summary(1, mean, 0.0, None, None)
    from scipy.stats import t as student_t

    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(student_t.ppf(0.5 + level / 2.0, n - 1)) * sd / math.sqrt(n)
    return Summary(n, mean, sd, mean - half, mean + half)


def summarize_runs(metrics: list[dict[str, float]], prefix: str = "eval/") -> dict[str, Summary]:
    """Every metric named `prefix...` that all the runs carry, summarised over them."""
    if not metrics:
        return {}
    names = sorted(k for k in metrics[0] if k.startswith(prefix) and all(k in m for m in metrics))
    return {k: summarize([float(m[k]) for m in metrics]) for k in names}
