"""The idea-patching log (the user's "patching" method, digest §5), as data.

Distil the paper into numbered points; each patch changes one point, states a hypothesis and
its cost, and is verified by an experiment (a repro spec and an MLflow run). A story thread
groups patches that together could make a paper.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


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
    dropped = "dropped"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Point(_Frozen):
    """A distilled point of the paper (what could be patched)."""

    id: int = Field(ge=1)
    text: str


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


class IdeaLog(_Frozen):
    points: list[Point] = Field(default_factory=list)
    patches: list[Patch] = Field(default_factory=list)
