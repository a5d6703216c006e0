"""Names of imported notes, and the links between them that must follow a rename.

Each note keeps its file's name when Obsidian accepts it (it is what the user's links use);
a name the vault (or an earlier file of the same import) already has, in any case, gets " 1",
" 2", ... as Obsidian names copies, and the old name becomes an alias. Obsidian does not follow
aliases in links, so the links of the other imported files to a renamed note are rewritten to
its new name with the old text still shown (`[[Note B]]` -> `[[Note B 1|Note B]]`), and so are
links to a template heading the import renamed (`[[Note B#Method]]` -> `[[Note B#4. Method|...]]`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from papernotes.notes.format.links import Link, heading_key, md_destination, rewrite_links, wikilink
from papernotes.notes.model.names import MAX_NAME_BYTES, fold, name_from_title, name_problem

if TYPE_CHECKING:
    from papernotes.notes.importer.plan import ImportPlan


def name_for(path: Path, props: dict[str, Any], taken: set[str]) -> str:
    """The note's name: the file's own name when Obsidian accepts it (what the user's links
    use), else the nearest name it accepts (`name_from_title`); with none left, a Hexo post's
    `post-<abbrlink>` or its title. A name taken (any case) gets " 1", " 2", ... as Obsidian
    names copies. `taken` holds folded names."""
    base = path.stem if name_problem(path.stem) is None else name_from_title(path.stem)
    if not base and props.get("abbrlink") is not None:
        base = name_from_title(f"post-{props['abbrlink']}")
    if not base and props.get("title"):
        base = name_from_title(str(props["title"]))
    base = base or "imported"
    key, n = base, 1
    while fold(key) in taken:
        while len(f"{base} {n}".encode("utf-8")) > MAX_NAME_BYTES:
            base = base[:-1].rstrip()
        key, n = f"{base} {n}", n + 1
    return key


def _quick_properties(path: Path) -> dict[str, Any]:
    from papernotes.core.atomic import read_text_utf8
    from papernotes.core.errors import PapernotesError
    from papernotes.notes.format.frontmatter import split_frontmatter

    try:
        fm = split_frontmatter(read_text_utf8(path), path=path)
    except PapernotesError:
        return {}
    return dict(fm.values) if fm else {}


def choose_names(paths: Sequence[Path], notes_dir: Path) -> tuple[list[str], dict[str, str]]:
    """The name of each file's note, in order, and the renames the links must follow: folded
    old name -> new name (only names no file of the import keeps)."""
    from papernotes.notes.note_files import key_of, notes_in

    taken = {fold(key_of(p)) for p in notes_in(notes_dir)}  # every folder's notes
    names: list[str] = []
    for path in paths:
        props = {} if name_from_title(path.stem) else _quick_properties(path)
        names.append(name_for(path, props, taken))
        taken.add(fold(names[-1]))
    kept = {fold(p.stem) for p, name in zip(paths, names) if name == p.stem}
    renamed = {fold(p.stem): name for p, name in zip(paths, names)
               if name != p.stem and fold(p.stem) not in kept}
    return names, renamed


def follow_renames(body: str, renamed: dict[str, str]) -> tuple[str, int]:
    """`body` with its links to files of the same import that were renamed (folded old name
    -> new name) now naming the new note, the old text still shown: `[[Note B]]` ->
    `[[Note B 1|Note B]]`, `[b](Note%20B.md)` -> `[b](Note%20B%201.md)`."""
    def new(link: Link) -> str | None:
        last = link.linkpath.rsplit("/", 1)[-1]
        stem = last[:-3] if last.lower().endswith(".md") else last
        target = renamed.get(fold(stem))
        if target is None or link.external or (link.kind == "md" and stem == last):
            return None
        if link.kind == "wiki":
            shown = link.display if link.display is not None else (
                None if link.embed else link.linkpath + (f"#{link.anchor}" if link.anchor else ""))
            return wikilink(target, link.anchor, shown, link.embed)
        raw = body[link.start:link.end]
        old_path = link.raw_target.partition("#")[0]
        new_path = old_path[: len(old_path) - len(old_path.rsplit("/", 1)[-1])] \
            + md_destination(target + ".md")
        at = raw.index("](") + 2  # the link text holds no "]": the destination starts here
        return raw[:at] + raw[at:].replace(old_path, new_path, 1)

    return rewrite_links(body, new) if renamed else (body, 0)


def keep_old_name(props: dict[str, Any], old: str, plan: "ImportPlan") -> dict[str, Any]:
    """The old file name added to the `aliases` property (the note is found by it)."""
    aliases = props.get("aliases")
    aliases = [] if aliases in (None, "") else [aliases] if isinstance(aliases, str) else aliases
    if not isinstance(aliases, list):
        return props
    plan.renamed_from = old
    plan.renamed_why = "a name Obsidian refuses" if name_problem(old) else "the name is taken"
    if old not in aliases:
        props = {**props, "aliases": [*aliases, old]}
        plan.properties.append(("aliases", f"+ '{old}': the old name, kept as an alias"))
    return props


def follow_heading_renames(plans: Sequence["ImportPlan"]) -> None:
    """Links between the imported notes to a template heading the import renamed (`## Method`
    -> `## 4. Method`) name the new heading, the old text still shown."""
    moved: dict[str, dict[str, str]] = {}  # folded note name -> {old heading key: new heading}
    for p in plans:
        lines = p.text.split("\n")
        for no, title, _ in p.sections:
            new = lines[no - 1].rstrip("\r")[3:]
            if new != title:
                moved.setdefault(fold(p.key), {})[heading_key(title)] = new
    if not moved:
        return

    def new_link(link: Link, here: str) -> str | None:
        name = link.linkpath.replace("\\", "/").rsplit("/", 1)[-1]  # `论文/Note`: its name
        name = name[:-3] if name.lower().endswith(".md") else name
        heads = moved.get(fold(name) if link.linkpath else here, {})
        parts = link.anchor.split("#")
        if link.kind != "wiki" or not heads or not any(heading_key(a) in heads for a in parts):
            return None
        anchor = "#".join(heads.get(heading_key(a), a) for a in parts)
        shown = link.display if link.display is not None else (
            None if link.embed else f"{link.linkpath}#{link.anchor}")
        return wikilink(link.linkpath, anchor, shown, link.embed)

    for p in plans:
        p.text, n = rewrite_links(p.text, lambda link, here=fold(p.key): new_link(link, here))
        p.links_rewritten += n
