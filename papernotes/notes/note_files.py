"""Which files of the vault are notes, and a note's key: the listing both the vault (vault.py)
and the lookup of a name (lookup.py) stand on."""

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


def iter_note_paths(ws: "Workspace") -> list[Path]:
    """Every paper note of the vault, sorted by key (hidden, temporary and generated files
    such as `notes/board.md` skipped)."""
    folder = ws.notes_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{NOTE_SUFFIX}")
                  if not p.name.startswith(".") and p.is_file() and not is_generated_note(p))


def key_of(path: Path) -> str:
    return path.name[: -len(NOTE_SUFFIX)] if path.name.endswith(NOTE_SUFFIX) else path.stem
