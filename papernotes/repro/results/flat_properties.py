"""The values of the flat properties a run writes beside its row (notes/format/repro_properties.py
names them and their types): the headline of the row just written, so Bases shows what the
region's table shows.

Reference: writeback.result_text, the same headline as a line of the idea log.
"""

from __future__ import annotations

from typing import Any

HEADLINE = "eval/linear_top1"


def paper_top1(expected) -> float | None:
    """The paper's linear top-1 from the spec's `expected`, if it gives one."""
    return next((float(e.value) for e in expected if e.metric == HEADLINE), None)


def flat_values(top1: float | None, half_ci: float | None, n: int, protocol: str, link: str,
                expected) -> dict[str, Any]:
    """paper_top1, repro_top1, repro_ci95, repro_n, repro_protocol and repro_run, rounded as the
    table shows them (2 decimals)."""
    return {"paper_top1": paper_top1(expected),
            "repro_top1": None if top1 is None else round(float(top1), 2),
            "repro_ci95": None if half_ci is None else round(float(half_ci), 2),
            "repro_n": n, "repro_protocol": protocol or None, "repro_run": link or None}
