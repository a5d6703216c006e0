"""`papernotes idea story KEY [THREAD]`: a thread of patches as the outline of a paper."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors
from papernotes.core.words import count


@handles_errors
def command(
    key: str = typer.Argument(..., help="Note key."),
    thread: Optional[str] = typer.Argument(None, help="Story thread (default: every thread)."),
    remove: bool = typer.Option(False, "--remove", help="Stop showing the thread in the note."),
) -> None:
    """Show a story thread in the note: its patches in order with verdicts and effects, as a table and a mermaid chain."""
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.patching import show_story, thread_patches
    from papernotes.notes.vault import update_note

    out = {}

    def change(note):
        log, out["threads"] = show_story(note.ideas, thread, remove=remove)
        out["log"] = log
        return note.model_copy(update={"ideas": log})

    path, _ = update_note(find_workspace(), key, change)
    for name in out["threads"]:
        if remove:
            console.print(f"story {name!r} removed from {path}", highlight=False, soft_wrap=True)
            continue
        patches = thread_patches(out["log"], name)
        chain = " -> ".join(f"#{p.id} {p.status.value}" for p in patches)
        console.print(f"story {name!r} ({count(len(patches), 'patch', 'patches')}: {chain}) in {path}", highlight=False,
                      soft_wrap=True)
