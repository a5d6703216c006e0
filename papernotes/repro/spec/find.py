"""`papernotes repro NOTE`: a note whose `repro:` property names a spec (an imported note the
catalog linked to one) runs that spec, and its results go into that note."""

from __future__ import annotations

from pathlib import Path

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import Workspace
from papernotes.repro.spec.model import Resolved, spec_path


def _note_repro(ws: Workspace, name: str) -> tuple[Path, str] | None:
    """A note named `name` (key, title or alias) and the spec its `repro:` property names (an
    imported note that the catalog linked to a spec), or None."""
    from papernotes.notes.format.frontmatter import split_frontmatter
    from papernotes.notes.lookup import find_note

    try:
        note = find_note(ws, name).path
        fm = split_frontmatter(note.read_text(encoding="utf-8"), path=note)
    except (PapernotesError, OSError, UnicodeDecodeError):
        return None
    spec = fm.data.get("repro") if fm is not None else None
    return (note, str(spec)) if spec else None


def spec_for(name: str, ws: Workspace) -> Path:
    """`repro/<name>.yaml`, or the spec of the note `name` (`papernotes repro my-simclr-notes`)."""
    try:
        return spec_path(name, ws.repro_dir)
    except PapernotesError:
        found = _note_repro(ws, name)
        if found is None:
            raise
        return spec_path(found[1], ws.repro_dir)


def note_for(name: str, ws: Workspace, res: Resolved) -> Path | None:
    """The note named on the command line when it is a note whose `repro:` is this spec (the
    results go there), else None (they go to the spec's paper)."""
    if (ws.repro_dir / f"{name}.yaml").is_file() or Path(name).suffix in (".yaml", ".yml"):
        return None
    found = _note_repro(ws, name)
    return found[0] if found is not None and found[1] == res.spec.name else None
