"""Link resolution the way Obsidian does it, for `doctor` and for tests of `import`.

A vault is every file under its root, hidden folders (`.obsidian`, `.papernotes`) left out.
`resolve(index, linkpath, source)` finds the file a link's target names:

    Note, Note.md         a Markdown file of that name anywhere (case-insensitive, Unicode NFC);
                          several: the one nearest the linking note, as Obsidian picks
    pic.png               any file of that name (an extension other than .md must be written)
    folder/Note           a vault path, a path relative to the linking note (./, ../), or
                          the end of a vault path
    Old Name              a note whose `aliases` property lists it: resolved `via="alias"`

Obsidian itself does not follow aliases (its link suggestions write `[[Note|alias]]`), so
`doctor` reports an alias-only link as `renamed-link`, and `--fix` rewrites it to the note's
name with the old text shown (`rename_fix`). Anchors: `#Heading` (nested `#A#B`: the last
one) must be a heading of the target, `#^id` a block id (`^id` at the end of a line).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from papernotes.notes.format.links import Link, code_free_lines, heading_key, wikilink
from papernotes.notes.model.names import fold

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)[ \t]*$")


@dataclass(frozen=True)
class Resolved:
    path: Path
    via: str  # "name", "path" or "alias"


@dataclass
class VaultIndex:
    """Every file of a vault by folded name and by folded vault path; aliases on demand."""

    root: Path
    by_name: dict[str, list[Path]] = field(default_factory=dict)  # "note.md", "pic.png"
    by_path: dict[str, Path] = field(default_factory=dict)  # "notes/note.md"
    _aliases: dict[str, list[Path]] | None = None
    _anchors: dict[Path, tuple[set[str], set[str]]] = field(default_factory=dict)
    papers: dict[str, Path] | None = None  # the vault's papers by id, when a check needs them
    card_notes: dict[str, Path | None] = field(default_factory=dict)  # catalog key -> its note

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    @property
    def aliases(self) -> dict[str, list[Path]]:
        """Folded alias -> the notes listing it (every note's properties read once)."""
        if self._aliases is None:
            from papernotes.notes.lookup import note_names

            self._aliases = {}
            for paths in self.by_name.values():
                for p in paths:
                    if p.suffix.lower() == ".md":
                        for alias in note_names(p)[1]:
                            self._aliases.setdefault(fold(alias), []).append(p)
        return self._aliases

    def anchors(self, path: Path) -> tuple[set[str], set[str]]:
        """(normalised headings, block ids) of a Markdown file."""
        if path not in self._anchors:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            heads, blocks, before = set(), set(), ""
            for _, _, line in code_free_lines(text):
                line = line.rstrip("\r")
                m = _HEADING.match(line)
                if m:
                    heads.add(heading_key(m.group(2)))
                elif _SETEXT.match(line) and before.strip():
                    heads.add(heading_key(before.strip()))  # Title\n=====
                b = _BLOCK_ID.search(line)
                if b:
                    blocks.add(b.group(1).casefold())
                before = "" if m else line
            self._anchors[path] = (heads, blocks)
        return self._anchors[path]


def build_index(root: Path) -> VaultIndex:
    index = VaultIndex(root)
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts):
            index.by_name.setdefault(fold(p.name), []).append(p)
            index.by_path[fold(rel.as_posix())] = p
    return index


def _nearest(paths: list[Path], source: Path | None) -> Path:
    """Of several files of one name, the one sharing the longest folder prefix with `source`."""
    if source is None or len(paths) == 1:
        return paths[0]
    here = source.resolve().parent.parts

    def shared(p: Path) -> int:
        n = 0
        for a, b in zip(p.resolve().parent.parts, here):
            if a != b:
                break
            n += 1
        return n

    return max(paths, key=lambda p: (shared(p), -len(p.parts)))


def _candidates(linkpath: str) -> list[str]:
    """The folded file names a link target may mean: as written, and as a note (`.md` added)."""
    name = fold(linkpath)
    return [name] if name.endswith(".md") else [name + ".md", name]


def resolve(index: VaultIndex, linkpath: str, source: Path | None = None) -> Resolved | None:
    """The file `linkpath` names (see the module docstring), or None."""
    linkpath = linkpath.strip().replace("\\", "/")
    if not linkpath:
        return Resolved(source, "name") if source is not None else None
    if "/" in linkpath:
        here = index.rel(source.resolve()) if source is not None else ""
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(here), linkpath))
        for base in (linkpath.lstrip("/"), joined):
            for cand in _candidates(base):
                if cand in index.by_path:
                    return Resolved(index.by_path[cand], "path")
        tails = {"/" + c for c in _candidates(linkpath.lstrip("./"))}
        ends = [p for rel, p in index.by_path.items() if any(rel.endswith(t) for t in tails)]
        if ends:
            return Resolved(_nearest(ends, source), "path")
        return None
    for cand in _candidates(linkpath):
        paths = index.by_name.get(cand)
        if paths:
            return Resolved(_nearest(paths, source), "name")
    notes = index.aliases.get(fold(linkpath))
    if notes:
        return Resolved(_nearest(notes, source), "alias")
    return None


def anchor_problem(index: VaultIndex, target: Path, anchor: str) -> str | None:
    """Why `#anchor` does not exist in `target` (a Markdown file), or None."""
    if not anchor or target.suffix.lower() != ".md":
        return None
    heads, blocks = index.anchors(target)
    last = anchor.split("#")[-1].strip()
    if last.startswith("^"):
        return None if last[1:].casefold() in blocks else f"no block ^{last[1:]} in {target.name}"
    if not last or heading_key(last) in heads:
        return None
    return f"no heading '{last}' in {target.name}"


def note_name(index: VaultIndex, path: Path) -> str:
    """How a link names `path`: its name (without `.md`), or its vault path when that name is
    shared by several files."""
    name = path.name[:-3] if path.name.lower().endswith(".md") else path.name
    if len(index.by_name.get(fold(path.name), [])) > 1:
        rel = index.rel(path)
        return rel[:-3] if rel.lower().endswith(".md") else rel
    return name


def rename_fix(index: VaultIndex, link: Link, target: Path) -> str:
    """The wikilink to write for `link`, which reached `target` only through an alias: the
    note's name, with the old text still shown (`[[Old]]` -> `[[New|Old]]`)."""
    shown = link.display if link.display is not None else (
        None if link.embed else link.linkpath + (f"#{link.anchor}" if link.anchor else ""))
    return wikilink(note_name(index, target), link.anchor, shown, link.embed)
