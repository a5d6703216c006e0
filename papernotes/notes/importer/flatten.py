"""`import --flatten`: every note of a vault goes to notes/ itself, and each link whose target
is no longer where the link says is rewritten, the old text still shown:

    [[论文/DINO 自蒸馏|DINO]]          -> [[DINO 自蒸馏|DINO]]         (the note's name: keys are
    [[论文/DINO 自蒸馏#方法]]           -> [[DINO 自蒸馏#方法|论文/DINO 自蒸馏#方法]]  unique)
    ![](../attachments/fig%201.png)   -> ![](attachments/fig%201.png) (the path from the note's
                                                                       new place)

Attachments keep their place relative to the vault (`attachments.py`), so a link by name or by
vault path still finds them. A link whose target did not move is left byte for byte (without
--flatten nothing moves: this rewrites nothing). Reference: Obsidian's "shortest path when
possible" link format.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Callable

from papernotes.notes.doctor.links import VaultIndex, resolve
from papernotes.notes.format.links import Link, md_destination, rewrite_links, wikilink


def _moved(found: Path, dest: Path, vault: Path, notes_dir: Path) -> bool:
    try:
        was = found.resolve().parent.relative_to(vault)
        now = dest.parent.relative_to(notes_dir)
    except ValueError:
        return True
    return was != now


def relocate_links(body: str, source: Path, target: Path, index: VaultIndex, vault: Path,
                   notes_dir: Path, home: Callable[[Path], Path | None]) -> tuple[str, int]:
    """`body` (of `source`, to be written at `target`) with the links to moved notes and
    files rewritten; `home(path in the vault)` is where that file goes (None: not imported)."""
    vault = vault.resolve()

    def new(link: Link) -> str | None:
        if link.external or not link.linkpath:
            return None
        found = resolve(index, link.linkpath, source)
        dest = home(found.path.resolve()) if found is not None else None
        if dest is None:
            return None
        if link.kind == "wiki":
            if "/" not in link.linkpath or dest.suffix.lower() != ".md" \
                    or not _moved(found.path, dest, vault, notes_dir):
                return None
            shown = link.display if link.display is not None else (
                None if link.embed else link.linkpath + (f"#{link.anchor}" if link.anchor else ""))
            return wikilink(dest.name[:-3], link.anchor, shown, link.embed)
        rel = Path(os.path.relpath(dest, target.parent)).as_posix()
        if "/" not in link.linkpath and not _moved(found.path, dest, vault, notes_dir):
            return None  # a name: found wherever the file is
        if rel == posixpath.normpath(link.linkpath):
            return None
        raw = body[link.start:link.end]
        old_path = link.raw_target.partition("#")[0]
        at = raw.index("](") + 2  # the link text holds no "]": the destination starts here
        return raw[:at] + raw[at:].replace(old_path, md_destination(rel), 1)

    return rewrite_links(body, new)
