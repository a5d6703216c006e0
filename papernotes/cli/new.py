"""`papernotes new`: a note from the catalog (KEY), an identifier (arXiv id or URL, DOI,
`--zotero CITEKEY`), a blank one (--title) or from BibTeX (--bibtex)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    key: Optional[str] = typer.Argument(
        None, help="Catalog key (simclr), arXiv id or URL (2002.05709), or DOI (10.1109/...)."),
    title: Optional[str] = typer.Option(None, "--title", help="Make a blank note with this title."),
    bibtex: Optional[Path] = typer.Option(None, "--bibtex", help="Make notes from a BibTeX file."),
    zotero: Optional[str] = typer.Option(
        None, "--zotero", help="Make the note of this Better BibTeX citekey from the running Zotero."),
    note_key: Optional[str] = typer.Option(
        None, "--key", help="Key of the note (with --title or an identifier), or the citekey to "
        "take (with --bibtex)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="zh or en (default: the workspace's)."),
    force: bool = typer.Option(
        False, "--force", help="Make an existing note again (your text, ideas and runs are kept; "
        "a backup of the old file is left in .papernotes/backup/)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="With an identifier: show the note's properties and where each "
        "came from; write nothing."),
    fetch: bool = typer.Option(
        False, "--fetch", help="With an identifier: ask the sources again even where an answer "
        "is stored in .papernotes/sources/."),
    folder: Optional[str] = typer.Option(
        None, "--folder", help="The sub-folder of notes/ a new note goes in, e.g. 论文 "
        "(a note made again stays where it is)."),
) -> None:
    """Make a new note from the user's template and print the path written."""
    from papernotes.core.errors import PapernotesError
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.creation import check_lang, notes_to_create
    from papernotes.notes.identity import drop_known_papers, remade_notes
    from papernotes.notes.vault import write_new_notes

    ws = find_workspace()
    lang = lang or ws.config.lang
    pid = None
    if zotero is not None:
        if key is not None or title is not None or bibtex is not None:
            raise PapernotesError("give exactly one of KEY, --title, --bibtex or --zotero",
                                  field="new")
        from papernotes.notes.remote.ids import PaperId

        pid = PaperId("zotero", zotero.strip())
    elif key is not None and title is None and bibtex is None:
        from papernotes.notes.remote.ids import parse_id
        from papernotes.notes.sources.catalog import load_card

        pid = parse_id(key) if _not_a_card(key, load_card) else None
    if pid is None:
        if dry_run:
            raise PapernotesError("--dry-run goes with an identifier", field="new",
                                  hint="e.g. `papernotes new 2002.05709 --dry-run`")
        notes = notes_to_create(key=key, title=title, bibtex=bibtex, note_key=note_key, lang=lang)
        found = None
    else:
        from papernotes.notes.identity import refuse_known_id
        from papernotes.notes.paper_from_id import dry_run_lines, note_for_id

        if not force:  # a paper the vault has is named before any source is asked
            refuse_known_id(ws, pid.kind, pid.value)
        found = note_for_id(ws, pid, lang=check_lang(lang), key=note_key, fetch=fetch)
        if dry_run:
            for line in dry_run_lines(found):
                console.print(line, markup=False, highlight=False, soft_wrap=True)
            return
        notes = [found.note]
    sources: dict[str, str] = {}
    if force:  # a note made again is never a duplicate of itself
        notes, sources = remade_notes(ws, notes)
    notes = drop_known_papers(ws, notes)
    for path in write_new_notes(ws, notes, force=force, sources=sources, folder=folder):
        if found is not None:
            from papernotes.notes.paper_from_id import finish_written

            finish_written(ws, found, path)
        console.print(str(path), markup=False, highlight=False, soft_wrap=True)


def _not_a_card(key: str, load_card) -> bool:
    """A catalog key wins: `new simclr` is the card even if a name looked like an id."""
    try:
        return load_card(key) is None
    except Exception:  # noqa: BLE001 (an id such as `cs/0112017` is no card file name)
        return True
