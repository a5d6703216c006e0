"""`papernotes demo`: workspace, SimCLR note, a tiny CPU reproduction, results in the note."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from papernotes.cli.console import console, handles_errors, stdout_is_terminal, stop_on_signals


@handles_errors
def command(
    directory: Path = typer.Argument(Path("."), help="Workspace folder (made if there is none)."),
    set_: List[str] = typer.Option([], "--set", help="Override a field of the demo profile."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow tracking URI."),
) -> None:
    """Run the SimCLR demo profile on CPU (a few minutes) and write the results into the note."""
    from papernotes.cli.repro import show_result
    from papernotes.core import shell
    from papernotes.repro.run.demo import run_demo

    stop_on_signals()  # SIGINT and SIGTERM: a clean stop, in the background too
    echo = lambda s: console.print(s, markup=False, highlight=False, soft_wrap=True)  # noqa: E731
    ws, result = run_demo(directory, overrides=tuple(set_), terminal=stdout_is_terminal(),
                          tracking_uri=tracking_uri, echo=echo)
    show_result(result)
    echo(f"MLflow store: {result.tracking_uri} (artifacts in {ws.root / 'mlartifacts'})")
    echo(f"open the UI: cd {shell.quote(ws.root)} && {shell.command('ui')}   (then {result.link})")
    echo(f"open the note in Obsidian: vault {ws.root}, note {result.note}")
