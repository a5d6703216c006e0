"""Loss and accuracy curves of a run, recorded from its events and drawn as one PNG.

matplotlib is imported inside `draw` with the Agg backend (no display needed).
"""

from __future__ import annotations

from pathlib import Path


class CurveRecorder:
    """An event sink that keeps what the curves need (and the last start/eval/end events)."""

    def __init__(self) -> None:
        self.loss: list[tuple[int, float]] = []
        self.lr: list[tuple[int, float]] = []
        self.acc: dict[str, list[tuple[float, float]]] = {}
        self.start: dict = {}
        self.eval: dict = {}
        self.end: dict = {}

    def __call__(self, event: dict) -> None:
        kind = event.get("event")
        m = event.get("metrics") or {}
        if kind == "start":
            self.start = event
        elif kind == "step":
            if "train/loss" in m:
                self.loss.append((int(event["step"]), float(m["train/loss"])))
            if "train/lr" in m:
                self.lr.append((int(event["step"]), float(m["train/lr"])))
        elif kind == "epoch":
            for key in ("monitor/online_top1", "monitor/knn_top1"):
                if key in m:
                    self.acc.setdefault(key, []).append((float(event["epoch"]), float(m[key])))
        elif kind == "eval":
            self.eval = event
        elif kind == "end":
            self.end = event


def draw(rec: CurveRecorder, path: Path, title: str) -> Path | None:
    """Loss (left) and monitor accuracy (right) as a PNG; None if there is nothing to draw."""
    if not rec.loss and not rec.acc:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    if rec.loss:
        steps, values = zip(*rec.loss)
        ax_loss.plot(steps, values, color="tab:blue")
    ax_loss.set(xlabel="step", ylabel="NT-Xent loss", title="pretraining loss")
    for key, points in rec.acc.items():
        xs, ys = zip(*points)
        ax_acc.plot(xs, ys, marker="o", label=key.split("/")[-1])
    if rec.acc:
        ax_acc.legend()
    ax_acc.set(xlabel="epoch", ylabel="top-1 (%)", title="monitor accuracy")
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
