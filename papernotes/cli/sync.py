"""`papernotes sync [KEY ...]`: refresh notes' metadata from their sources (notes/sync.py)."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    keys: Optional[list[str]] = typer.Argument(None, help="Notes to sync (default: every note "
                                               "with an arXiv id, DOI or recorded source)."),
    fetch: bool = typer.Option(False, "--fetch", help="Ask the sources again (default: the "
                               "answers stored in .papernotes/sources/)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the changes; write nothing."),
) -> None:
    """Update the properties papernotes filled from a paper's sources (venue, DOI, year, ...)
    where you have not changed them since; a diff first, a backup of each changed note."""
    from papernotes.core.errors import PapernotesError
    from papernotes.core.notices import warn
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.backup import stamp
    from papernotes.notes.sync import apply_sync, notes_to_sync, plan_sync

    ws = find_workspace()
    paths = notes_to_sync(ws, keys or [])
    plans, failed, unasked = [], 0, 0
    for path in paths:
        try:
            plan = plan_sync(ws, path, fetch=fetch)
        except PapernotesError as exc:
            if keys and len(paths) == 1:
                raise
            if not keys and exc.field == "sources":  # never fetched: counted, not one line each
                unasked += 1
                continue
            failed += 1
            warn(f"{exc.message}; not synced", path=path, field=exc.field, hint=exc.hint)
            continue
        if plan is None:
            if keys and len(paths) == 1:
                raise PapernotesError("no arXiv id, DOI or recorded source to sync from",
                                      path=path, field="sync",
                                      hint="add an `arxiv:` or `doi:` property to the note")
            if keys:
                warn("no arXiv id, DOI or recorded source to sync from", path=path)
            continue
        plans.append(plan)
    when = stamp()
    changed = 0
    for plan in plans:
        shown = plan.path.relative_to(ws.root).as_posix()
        for line in plan.diff_lines(shown):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if plan.changes:
            changed += 1
        if not dry_run:
            apply_sync(ws, plan, when)
    verb = "would change" if dry_run else "changed"
    console.print(f"{len(plans)} note(s) synced, {changed} {verb}" +
                  (f", {failed} not synced" if failed else "") +
                  (f", {unasked} with no stored answer (`papernotes sync --fetch` asks the sources)"
                   if unasked else "") +
                  (f"; backups in .papernotes/backup/{when}/" if changed and not dry_run else ""),
                  markup=False, highlight=False, soft_wrap=True)  # one line: the command pastes whole
    if failed and not plans:
        raise typer.Exit(2)
