"""Where each imported file goes under notes/: the folder structure of the vault it comes from.

An Obsidian user files notes in folders (`论文/DINO 自蒸馏.md`) and links to them by path
(`[[论文/DINO 自蒸馏|DINO]]`); import keeps that structure under notes/, so every such link
still resolves as Obsidian resolves it. The vault is the nearest folder holding `.obsidian/`
at or above what was named (else the folder named; a file named alone goes to notes/ itself).
With `flatten`, every note goes to notes/ itself and `flatten.py` rewrites the path-qualified
links. Reference: Obsidian's vault = a folder with `.obsidian/`, links "shortest path when
possible" (help.obsidian.md, Internal links).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from papernotes.notes.markdown_files import expand_markdown
from papernotes.notes.model.names import name_from_title


@dataclass(frozen=True)
class ImportSource:
    path: Path
    folder: str = ""  # the sub-folder of notes/ the note goes in ("" for notes/ itself)
    vault: Path | None = None  # the vault the file comes from: where its attachments are


def vault_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds `.obsidian/` (an Obsidian vault)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".obsidian").is_dir():
            return folder
    return None


def _folder_of(path: Path, base: Path) -> str:
    """`path`'s folder relative to `base`, each part a name Obsidian accepts."""
    try:
        rel = path.resolve().parent.relative_to(base)
    except ValueError:
        return ""
    parts = [name_from_title(p) for p in rel.parts]
    return "/".join(p for p in parts if p)


def import_sources(paths: Sequence[str | Path], *, flatten: bool = False) -> list[ImportSource]:
    """Each Markdown file under `paths` (`expand_markdown`) with its folder under notes/ and
    its vault."""
    out: list[ImportSource] = []
    for raw in paths:
        arg = Path(raw)
        if arg.is_dir():
            base = vault_root(arg) or arg.resolve()
        else:
            base = vault_root(arg.parent)
        for f in expand_markdown([arg]):
            vault = base if base is not None else f.resolve().parent
            folder = "" if flatten or base is None else _folder_of(f, base)
            out.append(ImportSource(f, folder, vault))
    return out
