"""Console output and the error boundary shared by every command."""

from __future__ import annotations

import functools
import sys
from typing import Callable, TypeVar

import typer
from rich.console import Console

from papernotes.core import notices
from papernotes.core.errors import FileProblems, PapernotesError

console = Console()
err_console = Console(stderr=True)


def _print_notice(level: str, text: str) -> None:
    from rich.markup import escape

    style = "yellow" if level == "warning" else "cyan"
    err_console.print(f"[{style}]{level}:[/] {escape(text)}", markup=True, highlight=False,
                      soft_wrap=True, emoji=False)


notices.set_sink(_print_notice)

F = TypeVar("F", bound=Callable)


def handles_errors(fn: F) -> F:
    """Turn a PapernotesError into one red line on stderr and a non-zero exit, no traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FileProblems as exc:  # one line per file, then what was (not) done
            for problem in exc.problems:
                err_console.print(f"[bold red]error:[/] {problem}", markup=True,
                                  highlight=False, soft_wrap=True)
            err_console.print(exc.message, markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except PapernotesError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False,
                              soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


class _PipeSafe:
    """stdout that stops writing, silently, once its reader is gone (`| tee log` killed by the
    same Ctrl-C): a print must not turn the clean stop of a run into a traceback (exit 1)."""

    def __init__(self, stream) -> None:
        self._stream, self._broken = stream, False

    def write(self, text: str) -> int:
        if not self._broken:
            try:
                return self._stream.write(text)
            except (BrokenPipeError, ValueError):
                self._broken = True
        return len(text)

    def flush(self) -> None:
        if not self._broken:
            try:
                self._stream.flush()
            except (BrokenPipeError, ValueError):
                self._broken = True

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def stop_on_signals() -> None:
    """For the commands that train: SIGINT and SIGTERM both raise KeyboardInterrupt (a clean
    stop: checkpoint, run marked KILLED), installed explicitly since a job started in the
    background (`cmd &`) inherits SIGINT ignored, and so would its children (torchrun, the
    arms); and stdout survives its pipe's reader going away."""
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    if not isinstance(sys.stdout, _PipeSafe):
        sys.stdout = _PipeSafe(sys.stdout)  # the consoles write to whatever sys.stdout is


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def pick_note(ws, query: str) -> str:
    """The key of the note `query` names (a key, title, alias or path, any case:
    notes/lookup.py), or its path under notes/ (`论文/DINO`) when two folders hold its name;
    says on stderr which note that is when `query` is not its key exactly."""
    from papernotes.notes.lookup import find_note
    from papernotes.notes.note_files import files_of_key

    match = find_note(ws, query)
    if not match.exact:
        err_console.print(f"using {match.describe(query)}", markup=False, highlight=False,
                          soft_wrap=True)
    if len(files_of_key(ws, match.key)) > 1:
        return match.path.relative_to(ws.notes_dir).as_posix().removesuffix(".md")
    return match.key
