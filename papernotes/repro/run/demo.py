"""`papernotes demo`: the whole loop on a laptop CPU in a few minutes.

Workspace (made if missing) -> the SimCLR note (made from the catalog if missing) -> the
`demo` profile of repro/simclr.yaml on CPU -> MLflow run -> results in the note.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import Workspace, find_workspace, init_workspace
from papernotes.notes.vault import note_path
from papernotes.repro.run.runner import ReproOptions, ReproResult, run_repro

DEMO_SPEC, DEMO_PROFILE, DEMO_NOTE = "simclr", "demo", "simclr"


def ensure_workspace(root: Path, echo: Callable[[str], None]) -> Workspace:
    try:
        return find_workspace(root)
    except PapernotesError:
        ws = init_workspace(root)
        echo(f"made a workspace in {ws.root}")
        return ws


def ensure_note(ws: Workspace, key: str, echo: Callable[[str], None]) -> Path:
    """The note `key`, made from the catalog card (like `papernotes new KEY`) if missing."""
    path = note_path(ws, key)
    if path.is_file():
        return path
    from papernotes.notes.creation import notes_to_create
    from papernotes.notes.vault import write_new_notes

    notes = notes_to_create(key=key, title=None, bibtex=None, note_key=None, lang=ws.config.lang)
    write_new_notes(ws, notes)
    echo(f"made the note {path}")
    return path


def run_demo(root: Path, *, overrides: tuple[str, ...] = (), terminal: bool = False,
             tracking_uri: str | None = None,
             echo: Callable[[str], None] = print) -> tuple[Workspace, ReproResult]:
    ws = ensure_workspace(root, echo)
    ensure_note(ws, DEMO_NOTE, echo)
    opts = ReproOptions(name=DEMO_SPEC, profile=DEMO_PROFILE, device="cpu", overrides=overrides,
                        workspace=ws.root, terminal=terminal, tracking_uri=tracking_uri)
    return ws, run_repro(opts, echo=echo)
