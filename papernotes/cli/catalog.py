"""`papernotes catalog [QUERY]`: the built-in paper cards `papernotes new KEY` makes notes from."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    query: Optional[str] = typer.Argument(
        None, help="Only cards whose key, title, alias or tag contains this (any case)."),
) -> None:
    """List the catalog's papers: key, title, venue and year, repro spec; inside a workspace,
    the note already made from each."""
    from rich.table import Table

    from papernotes.core.errors import PapernotesError
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.sources.catalog import list_cards

    try:
        ws = find_workspace()
    except PapernotesError:
        ws = None
    cards = list_cards()
    if query:
        q = query.casefold()
        cards = [c for c in cards if any(q in s.casefold() for s in
                                          (c.key, c.title, *c.aliases, *c.tags))]
    if not cards:
        console.print(f"no card matches {query!r}" if query else "the catalog is empty",
                      highlight=False)
        return
    table = Table("key", "paper", "venue", "repro", *(["note"] if ws else []))
    for c in cards:
        row = [c.key, c.title + (f" ({', '.join(c.aliases)})" if c.aliases else ""),
               f"{c.venue} {c.year}", c.repro or ""]
        if ws is not None:
            path = ws.notes_dir / f"{c.key}.md"
            row.append(f"notes/{path.name}" if path.is_file() else "")
        table.add_row(*row)
    console.print(table)
    console.print(f"{len(cards)} paper(s); `papernotes new KEY` makes a note from one",
                  highlight=False)
