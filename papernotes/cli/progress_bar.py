"""A transient progress bar on stderr for commands that go through many files.

Shown only on a terminal and only once the work is large enough to be worth one (`show_from`
items); scripts, pipes and tests see nothing. The context manager yields `update(done, total)`,
the callback the notes layer calls (None off a terminal, so that layer skips the calls)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from papernotes.cli.console import err_console


@contextmanager
def progress_bar(label: str, show_from: int) -> Iterator[Callable[[int, int], None] | None]:
    if not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(label, BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total < show_from:
                return
            if task is None:
                task = bar.add_task(label, total=total)
            bar.update(task, completed=done)

        yield update
