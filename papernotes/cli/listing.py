"""`papernotes list [--tag T] [--status S]`: the notes of the vault as a table."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, err_console, handles_errors
from papernotes.cli.tables import Column


def skipped_notes_warning(problems) -> None:
    """One yellow line per note a listing had to leave out, and how to see why."""
    for problem in problems:
        err_console.print(f"[yellow]skipped:[/] {problem}", highlight=False, soft_wrap=True)
    if problems:
        err_console.print(f"[yellow]{len(problems)} note(s) skipped; `papernotes validate` lists them[/]",
                          highlight=False)


@handles_errors
def command(
    tag: Optional[str] = typer.Option(None, "--tag", help="Only notes with this tag (or nested under it)."),
    status: Optional[str] = typer.Option(
        None, "--status", help="unread, skimmed, reading or read-carefully."),
) -> None:
    """List the notes: title, status, rating, tags, repro spec and its last result."""
    from papernotes.cli.tables import fit_table, hidden_note
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.listing import note_rows, parse_status
    from papernotes.notes.vault import load_all

    ws = find_workspace()
    wanted = parse_status(status) if status else None
    parsed, problems = load_all(ws)
    skipped_notes_warning(problems)
    rows = note_rows(parsed, tag=tag, status=wanted)
    if not rows:
        console.print("no notes match" if (tag or status) else "no notes yet: `papernotes new KEY`")
        return
    cells = [[r.key, r.title, r.status.label(r.lang), "⭐" * (r.rating or 0),  # the note's language
              " ".join(f"#{t}" for t in r.tags), r.repro, r.last_result] for r in rows]
    table, hidden = fit_table(COLUMNS, cells, console.width)
    console.print(table)
    console.print(f"{len(rows)} note(s)", highlight=False)
    if hidden:
        console.print(hidden_note(hidden), markup=False, highlight=False, soft_wrap=True)


# Narrow terminals lose the columns of least value first (`cli/tables.py`).
COLUMNS = [Column("key", 9), Column("title", 8), Column("status", 7), Column("rating", 5),
           Column("tags", 4), Column("repro", 3), Column("last result", 6)]
