"""What the engine's events (docs/ARCHITECTURE.md, "Events") become in MLflow: the one
translation that both sinks use, `Tracker` (a `papernotes repro` run, tracking/sink.py) and
`ArmLogger` (each `idea run` arm, experiment/arm_runs.py). They differ only in how they send
(MLflow's fluent API for one run; `MlflowClient` batches for several runs open at once).

The rule, per run:

- `start`: the step starts at its `start_step` (a resumed run continues its own); its tags are
  the data set and the machine (tags.start_tags).
- `eval`: also the tag `papernotes.linear_protocol` (the linear evaluation that made the numbers);
- `step`, `epoch`, `eval`, `end`: their numeric metrics at the event's step (the last step for
  an event without one); an `epoch` adds `train/epoch`, an `end` adds `time/wall_s` (its
  `wall_time_s`, the engine's wall time).
- one point per metric and step: the step, epoch and end events all carry `train/loss` when an
  epoch ends on a logging step, so the first value at a step is kept and repeats are dropped;
  a resumed run starts from what its run holds (`seen`): no point at a step already logged;
- the end event repeats nothing: it carries the last epoch's and the evaluation's metrics again
  (epoch 20's monitor is no point at step 775), so only metrics this run has not logged yet go.
- across restarts (a `--resume`, a requeued SLURM job continuing from a periodic checkpoint):
  `seen` gives each metric's last logged step from the run's history, and a point at or before
  it is dropped, so the steps replayed since the checkpoint are logged once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from papernotes.repro.tracking.tags import LINEAR_PROTOCOL, start_tags

METRIC_EVENTS = ("step", "epoch", "eval", "end")


def event_metrics(event: dict) -> dict[str, float]:
    """An engine event's numeric metrics (booleans and anything else left out), as MLflow takes them."""
    return {k: float(v) for k, v in (event.get("metrics") or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


@dataclass(frozen=True)
class Points:
    """What one event adds to a run: metrics at `step`, and tags."""

    step: int
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


class RunPoints:
    """The translation for one run: call it with each event, in order, and send what it returns."""

    def __init__(self) -> None:
        self.step = 0
        self._logged: dict[str, int] = {}  # metric -> the last step it was logged at

    def __call__(self, event: dict) -> Points:
        kind = event.get("event")
        if kind == "start":
            self.step = int(event.get("start_step") or 0)
            return Points(self.step, tags=start_tags(event))
        if kind not in METRIC_EVENTS:
            return Points(self.step)
        self.step = int(event.get("step", self.step))
        metrics = event_metrics(event)
        if kind == "epoch":
            metrics["train/epoch"] = float(event.get("epoch", 0))
        if kind == "end":
            metrics = {k: v for k, v in metrics.items() if k not in self._logged}
            if "wall_time_s" in event:
                metrics["time/wall_s"] = float(event["wall_time_s"])
        fresh = {k: v for k, v in metrics.items() if self._logged.get(k, -1) < self.step}
        self._logged.update(dict.fromkeys(fresh, self.step))
        protocol = event.get("protocol") if kind == "eval" else None  # which linear evaluation made the numbers
        return Points(self.step, fresh, {LINEAR_PROTOCOL: str(protocol)} if protocol else {})

    def seen(self, last_steps: dict[str, int]) -> None:
        """What a resumed run holds already ({metric: its last step}): no point at or before
        those steps is sent again (a resume that restarts from an earlier step, or repeats the
        step it was stopped at, adds nothing twice)."""
        for key, step in last_steps.items():
            self._logged[key] = max(step, self._logged.get(key, -1))


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"train": {"epochs": 3}} -> {"train.epochs": 3}."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
    else:
        out[prefix.rstrip(".")] = data
    return out


def param_value(value: Any) -> str:
    """A parameter as MLflow keeps it: text of at most 500 characters, None as `null`."""
    text = "null" if value is None else str(value)
    return text[:500]
