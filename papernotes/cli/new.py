"""`papernotes new`: a note from the catalog (KEY), a blank one (--title) or from BibTeX (--bibtex)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    key: Optional[str] = typer.Argument(None, help="Catalog key, e.g. simclr (see the catalog)."),
    title: Optional[str] = typer.Option(None, "--title", help="Make a blank note with this title."),
    bibtex: Optional[Path] = typer.Option(None, "--bibtex", help="Make notes from a BibTeX file."),
    note_key: Optional[str] = typer.Option(
        None, "--key", help="Key of the note (with --title), or the citekey to take (with --bibtex)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="zh or en (default: the workspace's)."),
    force: bool = typer.Option(
        False, "--force", help="Make an existing note again (your text, ideas and runs are kept; "
        "a backup of the old file is left in .papernotes/backup/)."),
    folder: Optional[str] = typer.Option(
        None, "--folder", help="The sub-folder of notes/ a new note goes in, e.g. 论文 "
        "(a note made again stays where it is)."),
) -> None:
    """Make a new note from the user's template and print the path written."""
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.creation import notes_to_create
    from papernotes.notes.identity import drop_known_papers, remade_notes
    from papernotes.notes.vault import write_new_notes

    ws = find_workspace()
    notes = notes_to_create(key=key, title=title, bibtex=bibtex, note_key=note_key,
                            lang=lang or ws.config.lang)
    sources: dict[str, str] = {}
    if force:  # a note made again is never a duplicate of itself
        notes, sources = remade_notes(ws, notes)
    notes = drop_known_papers(ws, notes)
    for path in write_new_notes(ws, notes, force=force, sources=sources,
                                folder=folder):
        console.print(str(path), markup=False, highlight=False, soft_wrap=True)
