"""A number a spec says its paper reports (`expected:`), put beside ours in the note and on the
board. Its own module: both the spec's header (header.py) and the full spec (model.py) read it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Expected(BaseModel):
    """One number the paper reports, to put beside ours."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    metric: str  # eval/linear_top1, eval/linear_top5, eval/knn_top1
    value: float
    backbone: str
    dataset: str
    source: str
    epochs: int | None = None
    batch_size: int | None = None
