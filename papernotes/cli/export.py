"""`papernotes export --bibtex [-o FILE]`: the vault's notes as BibTeX."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from papernotes.cli.console import err_console, handles_errors


@handles_errors
def command(
    keys: Optional[list[str]] = typer.Argument(
        None, help="Notes to export (default: every note); their citekeys are those of the "
        "whole vault's export."),
    bibtex: bool = typer.Option(False, "--bibtex", help="Export BibTeX (the only format so far)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write to FILE (default: stdout)."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
) -> None:
    """Export the vault's papers as BibTeX: one entry per paper (notes of the same arXiv id or
    DOI merged); notes that are not papers (no authors, arXiv id or DOI) are left out."""
    from papernotes.core.atomic import atomic_write_text
    from papernotes.core.errors import PapernotesError
    from papernotes.core.notices import inform
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.export import plan_export
    from papernotes.notes.sources.bibtex import metadata_to_bibtex
    from papernotes.notes.vault import iter_notes

    if not bibtex:
        raise PapernotesError("choose a format", field="export", hint="pass --bibtex")
    if output is not None and output.exists() and not force:
        raise PapernotesError("already exists; pass --force to overwrite", path=output)
    if output is not None and not output.parent.is_dir():  # a typo: refused, not made
        raise PapernotesError(f"no such folder: {output.parent}", path=output, field="--output",
                              hint="make the folder first, or give another path")
    ws = find_workspace()
    plan = plan_export([p.note for p in iter_notes(ws)])
    if keys:
        from papernotes.notes.lookup import find_note

        plan = plan.only({find_note(ws, k).key for k in keys})
    if plan.not_papers:
        inform(f"left out {len(plan.not_papers)} note(s) that are not papers (no authors, arXiv "
               f"id or DOI): {', '.join(plan.not_papers)}")
    for keys in plan.merged:
        inform(f"one entry for the notes of the same paper: {', '.join(keys)}")
    notes = plan.papers
    text = metadata_to_bibtex(notes, plan.citekeys)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    atomic_write_text(output, text, overwrite=force)
    err_console.print(f"{len(notes)} entr{'y' if len(notes) == 1 else 'ies'} written to {output}",
                      highlight=False)
