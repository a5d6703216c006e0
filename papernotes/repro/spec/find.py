"""Finding specs: by name (`repro/<name>.yaml` in the workspace, else the shipped one), every
spec the workspace sees (the board, `papernotes runs NAME`), and through a note: `papernotes
repro NOTE` on a note whose `repro:` property names a spec (an imported note the catalog linked
to one) runs that spec, and its results go into that note."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.core.errors import PapernotesError
from papernotes.core.resources import shipped_dir
from papernotes.core.workspace import Workspace

if TYPE_CHECKING:  # model imports the engine's config (and torch): only for the annotation
    from papernotes.repro.spec.model import Resolved


def spec_path(name: str, repro_dir: Path | None = None) -> Path:
    """`repro/<name>.yaml` in the workspace, else the shipped copy; or `name` if it is a file."""
    as_path = Path(name)
    if as_path.suffix in (".yaml", ".yml") and as_path.is_file():
        return as_path
    for folder in ([repro_dir] if repro_dir else []) + [shipped_dir("repro")]:
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    known = sorted(p.stem for p in shipped_dir("repro").glob("*.yaml"))
    raise PapernotesError(f"no repro spec named {name!r}", field="spec",
                          hint=f"known: {', '.join(known)}")


def spec_files(ws: Workspace) -> list[Path]:
    """The workspace's specs, then the shipped ones of other names, sorted by name."""
    found: dict[str, Path] = {}
    for folder in (ws.repro_dir, shipped_dir("repro")):
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                found.setdefault(path.stem, path)
    return [found[k] for k in sorted(found)]


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


def note_for(name: str, ws: Workspace, res: "Resolved") -> Path | None:
    """The note named on the command line when it is a note whose `repro:` is this spec (the
    results go there), else None (they go to the spec's paper)."""
    if (ws.repro_dir / f"{name}.yaml").is_file() or Path(name).suffix in (".yaml", ".yml"):
        return None
    found = _note_repro(ws, name)
    return found[0] if found is not None and found[1] == res.spec.name else None
