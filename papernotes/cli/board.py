"""`papernotes board`: notes/board.md, every method with a repro spec side by side."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    force: bool = typer.Option(False, "--force", help="Replace a board.md papernotes did not write."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow tracking URI."),
) -> None:
    """Write notes/board.md: each spec's paper numbers, best run and random-init baseline.

    The note is generated (every `papernotes repro` refreshes it): do not edit it.
    """
    import os

    from papernotes.core.atomic import check_writable
    from papernotes.core.workspace import find_workspace
    from papernotes.repro.results.board import write_board
    from papernotes.repro.tracking.client import resolve_tracking_uri

    ws = find_workspace()
    check_writable(ws.notes_dir)  # one line now, not after reading every run
    uri = resolve_tracking_uri(tracking_uri, os.environ, ws.tracking_uri)
    path, rows = write_board(ws, uri, force=force)
    ran = sum(1 for r in rows if r.best is not None)
    console.print(f"{path}: {len(rows)} spec(s), {ran} with a finished run", markup=False,
                  highlight=False, soft_wrap=True)
    for row in rows:
        if row.problem:
            console.print(f"warning: {row.problem}", markup=False, highlight=False, soft_wrap=True)
