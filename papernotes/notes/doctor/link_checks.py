"""`doctor`'s checks of links and embeds, resolved as Obsidian resolves them (`links.py`), and
what `--fix` rewrites in them.

    wikilink      a target no note has; a path-qualified link (`[[论文/DINO]]`) whose note
                  exists under another folder says where it is (fixable: the link is
                  rewritten to the note's shortest unique path, as Obsidian writes links)
    embed         an embedded file or image the vault does not hold
    renamed-link  a link that reaches its note only by an alias (fixable: the note's name,
                  the old text shown); an alias two notes carry is never guessed between:
                  both are listed and nothing is rewritten
    anchor        a `#Heading` or `#^block` the target lacks

Reference: Obsidian's link resolution (help.obsidian.md, Internal links; "shortest path when
possible").
"""

from __future__ import annotations

from pathlib import Path

from papernotes.notes.doctor.finding import Finding
from papernotes.notes.doctor.links import (
    VaultIndex,
    anchor_problem,
    note_name,
    rename_fix,
    resolve,
)
from papernotes.notes.format.links import Link, code_free_lines, find_links, rewrite_links, wikilink
from papernotes.notes.importer.hexo_assets import asset_tag_names
from papernotes.notes.model.names import fold


def _moved(index: VaultIndex, link: Link, source: Path) -> Path | None:
    """The note a path-qualified link names by its last part when no note is at that path
    (one of that name only: with several, which one is not guessed)."""
    if "/" not in link.linkpath.replace("\\", "/"):
        return None
    name = link.linkpath.replace("\\", "/").rsplit("/", 1)[-1]
    found = resolve(index, name, source)
    if found is None or found.via != "name":
        return None
    cands = [c for c in (fold(name), fold(name) + ".md") if c in index.by_name]
    paths = index.by_name[cands[0]] if cands else []
    return paths[0] if len(paths) == 1 else None


def _alias_notes(index: VaultIndex, link: Link) -> list[Path]:
    return sorted(set(index.aliases.get(fold(link.linkpath), [])))


def check_links(path: str, text: str, index: VaultIndex) -> list[Finding]:
    """Wikilinks, embeds and Markdown images resolved as Obsidian does (`links.resolve`)."""
    source = Path(path)
    out = []
    for link in find_links(text):
        if link.kind == "md":
            if link.embed and link.linkpath and not link.external \
                    and resolve(index, link.linkpath, source) is None:
                out.append(Finding("embed", path, link.line,
                                   f"image '{link.raw_target}' not found"))
            continue
        target = resolve(index, link.linkpath, source)
        if target is None:
            moved = None if link.embed else _moved(index, link, source)
            if moved is not None:
                out.append(Finding(
                    "wikilink", path, link.line,
                    f"[[{link.linkpath}]]: no note at that path; '{note_name(index, moved)}' "
                    f"is {index.rel(moved)}", fixable=True))
            elif link.embed:
                out.append(Finding("embed", path, link.line,
                                   f"embedded file '{link.linkpath}' not found"))
            else:
                out.append(Finding("wikilink", path, link.line,
                                   f"[[{link.linkpath}]] links to no note"))
            continue
        if target.via == "alias":
            several = _alias_notes(index, link)
            if len(several) > 1:
                out.append(Finding(
                    "renamed-link", path, link.line,
                    f"[[{link.linkpath}]] is an alias of {len(several)} notes: "
                    + ", ".join(index.rel(p) for p in several)
                    + "; link to one by its name (not guessed)"))
            else:
                out.append(Finding(
                    "renamed-link", path, link.line,
                    f"[[{link.linkpath}]] names '{note_name(index, target.path)}' only by its "
                    "alias (Obsidian does not follow aliases)", fixable=True))
        problem = anchor_problem(index, target.path, link.anchor)
        if problem:
            out.append(Finding("anchor", path, link.line, f"[[{link.raw_target}]]: {problem}"))
    for no, _, line in code_free_lines(text):
        for name in asset_tag_names(line):
            if fold(name.rsplit("/", 1)[-1]) not in index.by_name:
                out.append(Finding("embed", path, no, f"Hexo asset '{name}' not found"))
    return out


def fix_links(path: Path, text: str, index: VaultIndex) -> tuple[str, int]:
    """`text` with each fixable link rewritten, the old text still shown: a link that reaches
    its note only by an alias (one note carries it) -> the note's name (`[[Old]]` ->
    `[[New|Old]]`); a path-qualified link whose note moved -> the note's shortest path.
    Returns the text and how many links changed."""
    def new(link: Link) -> str | None:
        if link.kind != "wiki":
            return None
        target = resolve(index, link.linkpath, path)
        if target is not None:
            if target.via != "alias" or len(_alias_notes(index, link)) > 1:
                return None
            return rename_fix(index, link, target.path)
        moved = None if link.embed else _moved(index, link, path)
        if moved is None:
            return None
        shown = link.display if link.display is not None else \
            link.linkpath + (f"#{link.anchor}" if link.anchor else "")
        return wikilink(note_name(index, moved), link.anchor, shown, link.embed)

    return rewrite_links(text, new)
