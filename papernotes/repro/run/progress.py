"""Progress display as an event sink: a rich bar on a terminal, plain lines otherwise.

Pretraining shows epoch, step, pairs/s, loss and ETA; evaluation phases get their own bar.
Only the parent process displays (it sees rank 0's events only).
"""

from __future__ import annotations

import time
from typing import Any, Callable


class PlainProgress:
    """One line per epoch, phase and result; nothing per step (logs stay short)."""

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write
        self.epochs = 0

    def __call__(self, event: dict) -> None:
        kind = event.get("event")
        m = event.get("metrics") or {}
        if kind == "start":
            self.start_step = int(event.get("start_step") or 0)  # a resumed run's bar starts there
            self.epochs = int(event.get("epochs", 0))
            self.write(f"start: world_size={event.get('world_size')} device={event.get('device')} "
                       f"steps={event.get('steps_total')} hardware={event.get('hardware')}")
        elif kind == "phase":
            self.write(f"phase: {event.get('name')}")
        elif kind == "epoch":
            parts = [f"epoch {event.get('epoch')}/{self.epochs}", f"step {event.get('step')}"]
            parts += [f"{k}={v:.4g}" for k, v in m.items() if isinstance(v, (int, float))]
            self.write("  ".join(parts))
        elif kind == "eval":
            self.write("eval: " + "  ".join(f"{k}={v:.2f}" for k, v in m.items()))
        elif kind == "end":
            self.write(f"end: {event.get('status')} after {event.get('wall_time_s', 0):.1f} s")

    def close(self) -> None:
        pass


class RichProgress:
    """A live rich progress bar (epoch, step, pairs/s, loss, ETA)."""

    def __init__(self, console=None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=console)
        self.progress.start()
        self.task: Any = None
        self.epochs = 0
        self.steps_per_epoch = 1
        self.started = time.monotonic()
        self.start_step = 0

    def __call__(self, event: dict) -> None:
        kind = event.get("event")
        m = event.get("metrics") or {}
        p = self.progress
        if kind == "start":
            self.start_step = int(event.get("start_step") or 0)  # a resumed run's bar starts there
            self.epochs = int(event.get("epochs", 0))
            self.steps_per_epoch = max(1, int(event.get("steps_per_epoch", 1)))
            p.console.print(f"world_size={event.get('world_size')} device={event.get('device')} "
                            f"hardware={event.get('hardware')}")
        elif kind == "phase":
            if self.task is not None:
                p.update(self.task, completed=p.tasks[self.task].total or 0)
            start = self.start_step if event.get("name") == "pretrain" else 0
            self.task = p.add_task(str(event.get("name")), total=event.get("total") or None, info="",
                                   completed=start)
        elif kind == "step" and self.task is not None:
            epoch = event.get("epoch", 0)
            info = (f"epoch {epoch:.2f}/{self.epochs}  loss {m.get('train/loss', float('nan')):.4f}"
                    f"  {m.get('train/pairs_per_s', 0):.0f} pairs/s")
            p.update(self.task, completed=int(event.get("step", 0)), info=info)
        elif kind == "progress" and self.task is not None:
            p.update(self.task, completed=event.get("done", 0), total=event.get("total"))
        elif kind == "epoch":
            p.console.print(f"epoch {event.get('epoch')}: " +
                            "  ".join(f"{k}={v:.4g}" for k, v in m.items()))
        elif kind == "eval":
            p.console.print("eval: " + "  ".join(f"{k}={v:.2f}" for k, v in m.items()))
        elif kind == "end" and event.get("status") != "finished" and self.task is not None:
            p.update(self.task, completed=int(event.get("step", 0)))  # where it stopped, not full

    def close(self) -> None:
        self.progress.stop()


def make_progress(is_terminal: bool):
    return RichProgress() if is_terminal else PlainProgress()
