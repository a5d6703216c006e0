"""The `papernotes` command. Each command lives in its own module; heavy imports (torch,
mlflow) happen inside the commands that need them, so `papernotes --help` stays fast."""

from __future__ import annotations

import inspect
import re

import typer

from papernotes.cli import (
    board,
    catalog,
    demo,
    doctor,
    export,
    idea,
    import_,
    init,
    listing,
    new,
    repro,
    runs,
    show,
    sync,
    ui,
    validate,
)
from papernotes.cli.console import err_console

app = typer.Typer(
    name="papernotes",
    help="Paper notes in an Obsidian vault, and real reproductions of the papers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



def _show_version(value: bool) -> None:
    if value:
        from papernotes import __version__

        typer.echo(f"papernotes {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Paper notes in an Obsidian vault, and real reproductions of the papers."""


def _hide_flag_types() -> None:
    """Help without a `<bool>` beside every flag (typer >= 0.25 shows each option's type)."""
    try:
        from typer.core import TyperOption
    except ImportError:  # pragma: no cover
        return
    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "_papernotes", False):  # pragma: no cover
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    display_type_rich._papernotes = True
    TyperOption.display_type_rich = display_type_rich


_hide_flag_types()
def _command(name: str, fn) -> None:
    """Register `fn` as `papernotes NAME`. The command list shows the first sentence of its
    docstring as one flowed line (typer's rich help kept the docstring's line breaks there,
    which broke entries mid-sentence); `papernotes NAME --help` shows all of it."""
    flowed = " ".join((inspect.getdoc(fn) or "").split("\n\n")[0].split())
    app.command(name, short_help=re.split(r"(?<=[.!?])\s+(?=[A-Z])", flowed)[0])(fn)


# In the order `papernotes --help` lists them (typer lists the `idea` group after them).
for _name, _module in (("init", init), ("new", new), ("catalog", catalog), ("validate", validate),
                       ("list", listing), ("show", show), ("export", export), ("doctor", doctor),
                       ("import", import_), ("sync", sync), ("repro", repro), ("demo", demo), ("runs", runs),
                       ("ui", ui), ("board", board)):
    _command(_name, _module.command)
app.add_typer(idea.app, name="idea")


def main() -> None:
    """The console script: typer's app, with usage mistakes reported as one line on stderr."""
    try:  # typer >= 0.25 vendors click as `typer._click`; before that it used click itself
        from typer._click import exceptions as click
    except ImportError:  # pragma: no cover
        from click import exceptions as click

    try:
        code = app(standalone_mode=False)
    except BrokenPipeError:  # `papernotes ... | head`: the reader has gone; exit quietly
        code = _quiet_broken_pipe()
    except click.NoArgsIsHelpError as exc:  # `papernotes`, `papernotes idea`: the help
        help_text = exc.format_message()  # empty when typer has printed its rich help already
        if help_text.strip():
            print(help_text)
        code = 0
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "papernotes"
        message = " ".join(exc.format_message().split())
        err_console.print(f"[bold red]error:[/] {command}: {message} (see '{command} --help')",
                          markup=True, highlight=False, soft_wrap=True)
        code = exc.exit_code
    except click.ClickException as exc:
        err_console.print(f"[bold red]error:[/] {' '.join(exc.format_message().split())}",
                          markup=True, highlight=False, soft_wrap=True)
        code = exc.exit_code
    except typer.Abort:
        err_console.print("[yellow]aborted[/]")
        code = 1
    raise SystemExit(code if isinstance(code, int) else 0)


def _quiet_broken_pipe() -> int:
    """Point stdout at /dev/null so that the interpreter's final flush does not complain."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - no real stdout
        pass
    return 1


if __name__ == "__main__":
    main()
