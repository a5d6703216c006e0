"""Progress and results as events: plain dicts passed to a sink (any `Callable[[dict], None]`).

Names and keys are the table in docs/ARCHITECTURE.md. Only rank 0 emits. The repro runner
passes its own sink (progress bar + MLflow) so the engine never imports mlflow.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, TextIO

Sink = Callable[[dict], None]


class JsonlSink:
    """Append one JSON line per event, flushed at once (a killed run keeps every line it wrote)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a", encoding="utf-8")

    def __call__(self, event: dict) -> None:
        self._fh.write(json.dumps(event, sort_keys=True) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


class PrintSink:
    """One plain line per event (no rich: the engine stays torch/numpy only)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def __call__(self, event: dict) -> None:
        kind = event.get("event", "?")
        if kind == "progress":
            return
        fields = {k: v for k, v in event.items() if k != "event"}
        metrics = fields.pop("metrics", None) or {}
        parts = [f"{k}={_fmt(v)}" for k, v in fields.items() if not isinstance(v, dict)]
        parts += [f"{k}={_fmt(v)}" for k, v in metrics.items()]
        print(f"[{kind}] " + " ".join(parts), file=self.stream, flush=True)


def _fmt(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def fan_out(*sinks: Sink | None) -> Sink:
    """One sink that passes each event to every given sink (None ones are skipped)."""
    live = [s for s in sinks if s is not None]

    def emit(event: dict) -> None:
        for s in live:
            s(event)

    return emit
