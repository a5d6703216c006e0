"""The idea-patching log (the user's "patching" method, digest §5), as data.

Distil the paper into numbered points; each patch changes one point, states a hypothesis and
its cost, and is verified by an experiment. The experiment is part of the patch: the repro spec
and profile it runs, the config fields it changes (`sets`, `FIELD=VALUE` as typed by the user)
and what it predicts (`expect`: a metric, a direction, the smallest effect that counts).
`papernotes idea run` runs it paired against its baseline over several seeds and stores the
`verdict` numbers; the status says what they mean. A story thread groups patches that together
could make a paper; `stories` are the threads rendered in the note.
"""

from __future__ import annotations

import math
import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class PatchKind(str, Enum):
    augmentation = "augmentation"  # augmentation / data
    architecture = "architecture"  # swap the model
    loss = "loss"  # add or change a loss
    speed = "speed"  # make it faster or cheaper
    scale = "scale"  # more data, bigger model, longer training
    other = "other"


class PatchStatus(str, Enum):
    idea = "idea"
    planned = "planned"
    running = "running"
    verified = "verified"
    refuted = "refuted"
    inconclusive = "inconclusive"  # the seeds run so far do not settle it
    dropped = "dropped"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Point(_Frozen):
    """A distilled point of the paper (what could be patched)."""

    id: int = Field(ge=1)
    text: str


_METRIC = r"[A-Za-z][A-Za-z0-9_.]*(?:/[A-Za-z0-9_.]+)*"
_EXPECT = re.compile(rf"^\s*({_METRIC})\s*(>=|<=|≥|≤)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*$")
# a dotted field, or `method` (a patch written as code runs another method: `method=mae_contrastive`)
_SET = re.compile(r"^(method|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)=(.*)$")


class Expectation(_Frozen):
    """What a patch predicts: `METRIC >= +DELTA` (the patch raises the metric by at least DELTA
    over its baseline) or `METRIC <= -DELTA` (lowers it by at least DELTA: costs such as time)."""

    metric: str = Field(pattern=f"^{_METRIC}$")
    op: Literal[">=", "<="]
    delta: float

    @field_validator("delta")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("the effect must be a finite number")
        return v

    @model_validator(mode="after")
    def _direction(self) -> "Expectation":
        if (self.op == ">=" and self.delta < 0) or (self.op == "<=" and self.delta > 0):
            raise ValueError(f"'{self.op}' predicts {'a rise' if self.op == '>=' else 'a fall'}: "
                             f"write the effect as {'+' if self.op == '>=' else '-'}"
                             f"{abs(self.delta):g}")
        return self

    @property
    def sign(self) -> int:
        """+1 when the patch should raise the metric, -1 when it should lower it."""
        return 1 if self.op == ">=" else -1

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.delta:+g}"


def parse_expectation(text: str) -> Expectation:
    """`"eval/linear_top1 >= +1"` as an Expectation; ValueError naming the expected form."""
    m = _EXPECT.match(text)
    if not m:
        raise ValueError(f"expected 'METRIC >= +DELTA' or 'METRIC <= -DELTA', got {text.strip()!r}")
    metric, op, delta = m.groups()
    op = {"≥": ">=", "≤": "<="}.get(op, op)
    try:
        return Expectation(metric=metric, op=op, delta=float(delta))
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        errors = getattr(exc, "errors", None)
        raise ValueError(errors()[0]["msg"].removeprefix("Value error, ") if errors else str(exc)) from None


def split_assignment(text: str) -> tuple[str, str]:
    """`"aug.color_strength=0.25"` -> ("aug.color_strength", "0.25"); ValueError otherwise."""
    m = _SET.match(text.strip())
    if not m or "`" in text or "\n" in text:
        raise ValueError(f"expected FIELD=VALUE with a dotted field (aug.color_strength=0.25) or "
                         f"method=NAME, got {text!r}")
    return m.group(1), m.group(2).strip()


class Verdict(_Frozen):
    """The numbers of a paired experiment on the expected metric, over `n` seeds: each arm's mean
    and standard deviation, the mean paired difference (patch - baseline) with its 95%
    confidence interval, and (when inconclusive) about how many seeds would settle it."""

    n: int = Field(ge=1)
    baseline_mean: float
    baseline_sd: float
    patch_mean: float
    patch_sd: float
    diff_mean: float
    ci_low: float
    ci_high: float
    seeds_needed: int | None = None
    link: str = ""  # the parent MLflow run in the UI


class Patch(_Frozen):
    """One idea: change one point, predict the outcome, verify it."""

    id: int = Field(ge=1)
    text: str
    point: int | None = Field(default=None, ge=1)
    kind: PatchKind = PatchKind.other
    hypothesis: str = ""
    cost: str = ""  # estimated cost, free text ("~2 GPU-days")
    status: PatchStatus = PatchStatus.idea
    repro: str | None = None  # spec name in repro/
    run_id: str | None = None  # MLflow run that verifies it
    result: str = ""
    story: str = ""  # story thread grouping patches
    profile: str | None = None  # profile of the repro spec (None: the spec's default)
    sets: tuple[str, ...] = ()  # FIELD=VALUE config changes, typed against the spec when set
    expect: Expectation | None = None
    verdict: Verdict | None = None

    @field_validator("sets")
    @classmethod
    def _assignments(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for item in v:
            split_assignment(item)
        return tuple(item.strip() for item in v)

    @property
    def has_experiment(self) -> bool:
        return bool(self.profile or self.sets or self.expect or self.verdict)


class IdeaLog(_Frozen):
    points: list[Point] = Field(default_factory=list)
    patches: list[Patch] = Field(default_factory=list)
    stories: list[str] = Field(default_factory=list)  # story threads rendered in the region
