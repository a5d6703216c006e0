"""The attachments an imported note embeds or links (`![[SimCLR 框架图.png|400]]`,
`![](attachments/fig.png)`, `[[paper.pdf]]`): found in the vault it comes from as Obsidian
finds them, and copied under notes/ at the same place relative to the vault, so every link
still resolves. Obsidian's attachment folder setting (`.obsidian/app.json`,
`attachmentFolderPath`: `/` the vault, `./` the note's folder, `./sub` under it, `sub` in the
vault) is looked in first. A link to a file the vault does not hold is reported (one warning
line per note), never guessed. Reference: Obsidian's `app.json` and its link resolution
(`doctor/links.resolve`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from papernotes.core.errors import PapernotesError
from papernotes.notes.doctor.links import VaultIndex, build_index, resolve
from papernotes.notes.format.links import find_links


@dataclass
class AttachmentPlan:
    copies: list[tuple[Path, Path]] = field(default_factory=list)  # (in the vault, under notes/)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (line, the link's target)


# Obsidian's accepted file formats (help.obsidian.md, Accepted file formats), and a few more
KNOWN = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".avif", ".mp3", ".webm",
         ".wav", ".m4a", ".ogg", ".3gp", ".flac", ".mp4", ".ogv", ".mov", ".mkv", ".pdf",
         ".canvas", ".excalidraw", ".zip", ".csv", ".txt", ".json", ".docx", ".pptx", ".xlsx"}


def _is_attachment(linkpath: str) -> bool:
    """A link target that may name a file other than a note: it has an extension, not `.md`
    (`[[MoCo v2.1]]` may be a note: it is taken as a file only when one is found)."""
    suffix = PurePosixPath(linkpath).suffix.lower()
    return bool(suffix) and suffix != ".md" and " " not in suffix and len(suffix) <= 11


class AttachmentFinder:
    """The attachments of the notes of one vault (its index is built once, when first needed)."""

    def __init__(self, vault: Path, notes_dir: Path):
        self.vault = vault.resolve()
        self.notes_dir = notes_dir
        self._index: VaultIndex | None = None
        self.setting = _attachment_setting(self.vault)

    @property
    def index(self) -> VaultIndex:
        if self._index is None:
            self._index = build_index(self.vault)
        return self._index

    def relocate(self, body: str, source: Path, target: Path,
                 notes: dict[Path, Path]) -> tuple[str, int]:
        """`flatten.relocate_links` for a note of this vault: `notes` is where each note of
        the import goes; any other file of the vault goes to the same place under notes/."""
        from papernotes.notes.importer.flatten import relocate_links

        def home(path: Path) -> Path | None:
            if path in notes:
                return notes[path]
            if path.suffix.lower() == ".md":
                return None  # a note not imported this time
            try:
                return self.notes_dir / path.relative_to(self.vault)
            except ValueError:
                return None

        return relocate_links(body, source, target, self.index, self.vault, self.notes_dir, home)

    def _in_setting(self, name: str, source: Path) -> Path | None:
        if self.setting is None:
            return None
        s = self.setting
        folder = (source.resolve().parent / s[2:]) if s.startswith("./") or s == "." \
            else self.vault / s.strip("/")
        hit = folder / PurePosixPath(name).name
        return hit if hit.is_file() else None

    def plan(self, text: str, source: Path) -> AttachmentPlan:
        """What `text` (the note `source` of the vault) embeds or links that must be copied."""
        out = AttachmentPlan()
        seen: set[Path] = set()
        for link in find_links(text):
            if link.external or not link.linkpath or not _is_attachment(link.linkpath):
                continue
            hit = self._in_setting(link.linkpath, source)
            if hit is None:
                found = resolve(self.index, link.linkpath, source)
                hit = found.path if found is not None else None
            if hit is not None and hit.suffix.lower() == ".md":
                continue  # a note whose name has a dot (`MoCo v2.1`)
            if hit is None:
                if link.embed or PurePosixPath(link.linkpath).suffix.lower() in KNOWN:
                    out.missing.append((link.line, link.linkpath))
                continue
            try:
                rel = hit.resolve().relative_to(self.vault)
            except ValueError:
                out.missing.append((link.line, link.linkpath))
                continue
            target = self.notes_dir / rel
            if target not in seen:
                seen.add(target)
                out.copies.append((hit, target))
        for src, target in out.copies:
            if target.is_file() and target.read_bytes() != src.read_bytes():
                raise PapernotesError(f"{target} exists with other bytes; not overwritten",
                                      path=source, field="attachments",
                                      hint="move one of the two files away")
        return out


def _attachment_setting(vault: Path) -> str | None:
    """`attachmentFolderPath` of the vault's `.obsidian/app.json` (None when unset)."""
    try:
        data = json.loads((vault / ".obsidian" / "app.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("attachmentFolderPath") if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None
