"""Progress of several arms at once: a rich bar per arm on a terminal, prefixed lines otherwise."""

from __future__ import annotations

from typing import Callable

from papernotes.repro.run.progress import PlainProgress


class PlainArms:
    """One line per arm epoch, phase and result, each prefixed with the arm's label."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo

    def sink(self, label: str) -> Callable[[dict], None]:
        return PlainProgress(write=lambda line: self.echo(f"[{label}] {line}"))

    def print(self, line: str) -> None:
        self.echo(line)

    def close(self) -> None:
        pass


class RichArms:
    """A live bar per arm: pretraining steps, then each evaluation phase."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                 TimeElapsedColumn())
        self.progress.start()

    def sink(self, label: str) -> Callable[[dict], None]:
        p = self.progress
        task = p.add_task(label, total=None, info="waiting")

        def on_event(event: dict) -> None:
            kind, m = event.get("event"), event.get("metrics") or {}
            if kind == "start":
                p.update(task, total=event.get("steps_total"), completed=event.get("start_step", 0),
                         info="pretrain")
            elif kind == "step":
                p.update(task, completed=int(event.get("step", 0)),
                         info=f"pretrain  loss {m.get('train/loss', float('nan')):.4f}")
            elif kind == "phase" and event.get("name") != "pretrain":
                p.update(task, info=str(event.get("name")))
            elif kind == "end":  # full only when it finished: a stopped arm shows where it stopped
                total = next((t.total for t in p.tasks if t.id == task), None)
                done = total or 0 if event.get("status") == "finished" else int(event.get("step", 0))
                p.update(task, completed=done, info=str(event.get("status")))

        return on_event

    def print(self, line: str) -> None:
        self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def close(self) -> None:
        self.progress.stop()


def make_arms_progress(terminal: bool, echo: Callable[[str], None]):
    return RichArms() if terminal else PlainArms(echo)
