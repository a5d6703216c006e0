"""Which files of the vault are notes, and a note's key: the listing both the vault (vault.py)
and the lookup of a name (lookup.py) stand on, and the one enumeration every command uses.

Notes live in `notes/` at any depth (Obsidian users file them in folders: `notes/论文/DINO.md`);
a hidden folder (`.obsidian`, `.trash`) and everything under it is skipped. A note's key is its
file name without `.md`, wherever it sits; two folders may hold the same name (Obsidian allows
it), and then the name alone is ambiguous: `files_of_key` gives every path, and callers list
them (a path-qualified name, `论文/DINO`, picks one as Obsidian's shortest-unique-path links do).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace

NOTE_SUFFIX = ".md"
GENERATED_MARK = "%% papernotes:generated "  # a generated note (notes/board.md), not a paper note
_HEAD_BYTES = 256  # the mark sits right after the frontmatter of a generated note


def is_generated_note(path: Path) -> bool:
    """Whether the file is a note papernotes generates whole (the board): not a paper note."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return False
    return GENERATED_MARK.encode() in head


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def iter_note_paths(ws: "Workspace") -> list[Path]:
    """Every paper note of the vault at any depth, sorted by path (hidden
    folders and files, temporary and generated files such as `notes/board.md` skipped)."""
    return notes_in(ws.notes_dir)


def notes_in(folder: Path) -> list[Path]:
    """`iter_note_paths` for a notes folder given by its path."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob(f"*{NOTE_SUFFIX}")
             if not _hidden(p.relative_to(folder)) and p.is_file() and not is_generated_note(p)]
    return sorted(found)  # by path, as before folders were read


def files_of_key(ws: "Workspace", key: str, paths: list[Path] | None = None) -> list[Path]:
    """The notes whose file name is `key` (exact), at any depth: none, one, or several
    (two folders holding the same name)."""
    return [p for p in (iter_note_paths(ws) if paths is None else paths) if key_of(p) == key]


def vault_name(ws: "Workspace", path: Path) -> str:
    """How the user sees a note's place: its path under the workspace (`notes/论文/DINO.md`)."""
    try:
        return path.relative_to(ws.root).as_posix()
    except ValueError:
        return str(path)


def ambiguous_key_message(ws: "Workspace", key: str, paths: list[Path]) -> str:
    """One line naming every file that holds the name `key`."""
    return (f"'{key}' is the name of {len(paths)} notes: "
            + ", ".join(vault_name(ws, p) for p in paths))


def key_of(path: Path) -> str:
    return path.name[: -len(NOTE_SUFFIX)] if path.name.endswith(NOTE_SUFFIX) else path.stem
