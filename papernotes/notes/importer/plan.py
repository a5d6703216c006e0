"""`papernotes import`: Obsidian notes and Hexo posts become notes in the vault.

Per file: damaged text is repaired first (and said so); frontmatter properties the model
knows (title, tags, date, ...) are mapped onto it, every other key is kept as it was (a value
that had to change is kept beside it as `source-<key>`); the user's template headings,
however written, are renamed to the headings the parser reads, so their content lands in the
model's fields; every other line (unknown sections, wikilinks, embeds, callouts, Hexo tags,
`<!--more-->`, raw HTML) is kept verbatim and in place, except that with `hexo_assets` a Hexo
post's asset tags become links to copies of its asset files (`hexo_assets.py`). Originals are
never modified. Each note keeps its file's name (any name Obsidian accepts: what the user's
links use); a name the vault already has gets " 1", " 2", ... and the old name as an alias,
and the links of the other imported files to it follow the new name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from papernotes.core.atomic import read_text_utf8
from papernotes.core.errors import FileProblems, PapernotesError
from papernotes.notes.format.fences import lines_outside_fences
from papernotes.notes.format.frontmatter import render_frontmatter, split_frontmatter
from papernotes.notes.format.language import note_language
from papernotes.notes.importer.attachments import AttachmentFinder, AttachmentPlan
from papernotes.notes.importer.fill import fill_properties
from papernotes.notes.importer.headings import canonical_title, heading_for, section_kind
from papernotes.notes.importer.hexo_assets import AssetPlan, asset_folder, convert_assets
from papernotes.notes.importer.identify import Identification, identify
from papernotes.notes.importer.layout import ImportSource
from papernotes.notes.importer.naming import (
    choose_names,
    follow_heading_renames,
    follow_renames,
    keep_old_name,
    name_for,
)
from papernotes.notes.importer.properties import map_properties
from papernotes.notes.repair.mojibake_repair import RepairResult, repair_text

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_HEXO_KEYS = {"abbrlink", "categories", "permalink", "layout"}
_HEXO_TAG = re.compile(r"\{%\s*(\w+)")


@dataclass
class ImportPlan:
    source: Path
    kind: str  # "obsidian" or "hexo"
    key: str
    target: Path
    text: str = ""
    repair: RepairResult | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)  # (source key, what)
    sections: list[tuple[int, str, str]] = field(default_factory=list)  # (line, heading, kind)
    free: list[tuple[int, str]] = field(default_factory=list)  # sections kept as free text
    kept: list[str] = field(default_factory=list)  # constructs kept verbatim
    renamed_from: str | None = None  # the file's name, when the note could not keep it
    renamed_why: str = ""
    links_rewritten: int = 0  # links to renamed notes of the same import, now to their names
    assets: AssetPlan | None = None  # Hexo asset tags turned into attachments (--hexo-assets)
    encoding: str | None = None  # the encoding a file that was not UTF-8 was converted from
    identification: Identification | None = None  # the paper the note is about, and why
    folder: str = ""  # the sub-folder of notes/ (the vault's own structure, `layout.py`)
    attachments: AttachmentPlan | None = None  # what the note embeds or links, to copy


def _rename_headings(body: str, lang: str, plan: ImportPlan, line0: int,
                     skip: set[int]) -> str:
    """`body` with recognised level-2 headings renamed (except body lines in `skip`)."""
    lines = body.split("\n")
    for i in lines_outside_fences(lines):
        line = lines[i]
        cr = "\r" if line.endswith("\r") else ""
        m = _HEADING.match(line[: len(line) - len(cr)])
        if not m:
            continue
        level, title, no = len(m.group(1)), m.group(2), line0 + i + 1
        kind = section_kind(title) if level == 2 else None
        if kind is None or i in skip:
            if level >= 2:
                plan.free.append((no, title))
            continue
        plan.sections.append((no, title, kind))
        lines[i] = f"## {heading_for(kind, lang, title)}{cr}"
    return "\n".join(lines)


def _describe_kept(text: str, plan: ImportPlan) -> None:
    checks = [
        ("wikilinks", len(re.findall(r"(?<!!)\[\[", text))),
        ("embeds", text.count("![[")),
        ("callouts", len(re.findall(r"^>\s*\[!\w+\]", text, re.M))),
        ("Hexo tags ({% ... %})", len(_HEXO_TAG.findall(text))),
        ("<!--more-->", text.count("<!--more-->")),
        ("raw HTML blocks", len(re.findall(r"^\s*<(iframe|div|video|img|p)\b", text, re.M | re.I))),
    ]
    plan.kept = [f"{n} {what}" for what, n in checks if n]


def _set_aside(props: dict[str, Any], head: str, exc: PapernotesError,
               plan: ImportPlan) -> bool:
    """Move the property on the error's line to `source-<key>`; False if there is none."""
    line = head.split("\n")[exc.line - 1] if exc.line else ""
    name = line.split(":", 1)[0].strip()
    if name not in props or name == "title" or name.startswith("source-"):
        return False
    value = props.pop(name)
    props[f"source-{name}"] = value if isinstance(value, (str, int, float, bool, list)) \
        else str(value)
    plan.properties.append((name, f"not valid here ({exc.message}): kept as source-{name}"))
    return True


def _read_any(path: Path) -> tuple[str, str | None]:
    """The file's text, converted from the encoding `doctor --fix` finds when it is not
    UTF-8 (so both give the same bytes), with that encoding's name."""
    try:
        return read_text_utf8(path), None
    except PapernotesError as exc:
        from papernotes.core.binary import binary_kind
        from papernotes.notes.repair.encoding import decode_bytes

        data = path.read_bytes() if path.is_file() else None
        decoded = None if data is None or binary_kind(data) else decode_bytes(data)
        if decoded is None:
            raise exc from None
        return decoded.text, decoded.label


_TABLE_TITLE = re.compile(r"^\|\s*(?:\*\*)?\s*(?:标题|Title)\s*(?:\*\*)?\s*\|\s*(.+?)\s*\|", re.M)


def _identify(plan: ImportPlan, props: dict[str, Any], text: str, fm, body: str) -> None:
    """Which paper the note is about (`identify.py`), and the properties it fills."""
    line0 = text.count("\n", 0, fm.end) if fm else 0
    titles: list[tuple[str, int]] = []
    if fm is not None and fm.data.get("title"):
        titles.append((str(fm.data["title"]), fm.line_of("title") or 2))
    for rx in (re.compile(r"^#[ \t]+(.+?)[ \t]*\r?$", re.M), _TABLE_TITLE):
        m = rx.search(body)
        if m:
            titles.append((m.group(1), line0 + body.count("\n", 0, m.start()) + 1))
    titles.append((plan.source.stem, 0))
    plan.identification = identify(text, titles)
    fill_properties(props, plan.identification, body, line0, plan.properties)


def plan_one(path: Path, notes_dir: Path, taken: set[str], *,
             hexo_assets: bool = False, key: str | None = None,
             renamed: dict[str, str] | None = None, folder: str = "",
             finder: AttachmentFinder | None = None,
             homes: dict[Path, Path] | None = None) -> ImportPlan:
    """What importing `path` would write (nothing is written here). With `hexo_assets`, a Hexo
    post's asset tags and its Markdown images into its asset folder become links to copies of
    the files. `key`: the note's name (else chosen here against `taken`); `renamed`: the
    other files of the import that were renamed, whose links are made to follow; `folder`:
    the sub-folder of notes/ it goes in; `finder`: the attachments of its vault to copy;
    `homes`: where each note of the import goes (its links follow a note that moved)."""
    from papernotes.notes.format.parse import parse_note

    original, encoding = _read_any(path)
    res = repair_text(original)
    text = res.text
    fm = split_frontmatter(text, path=path)
    data = dict(fm.data) if fm else {}
    body = text[fm.end:] if fm else text
    hexo = bool(_HEXO_KEYS & set(map(str, data))) or "<!--more-->" in body \
        or bool(_HEXO_TAG.search(body))
    key = key if key is not None else name_for(path, data, taken)
    plan = ImportPlan(path, "hexo" if hexo else "obsidian", key,
                      notes_dir.joinpath(*folder.split("/")) / f"{key}.md" if folder
                      else notes_dir / f"{key}.md",
                      repair=res if res.changed else None, encoding=encoding, folder=folder)
    if finder is not None and not (hexo_assets and (hexo or asset_folder(path).is_dir())):
        plan.attachments = finder.plan(text, path)  # (--hexo-assets copies a post's own)
    props = map_properties(data, plan)
    if key != path.stem:
        props = keep_old_name(props, path.stem, plan)
    body, plan.links_rewritten = follow_renames(body, renamed or {})
    if finder is not None and homes:
        body, n = finder.relocate(body, path, plan.target, homes)
        plan.links_rewritten += n
    if hexo_assets and (hexo or asset_folder(path).is_dir()):
        first = (text.count("\n", 0, fm.end) if fm else 0) + 1
        body, plan.assets = convert_assets(body, path, key, notes_dir, first)
        for source, target in plan.assets.copies:
            if target.exists() and target.read_bytes() != source.read_bytes():
                raise PapernotesError(f"{target} exists with other bytes; not overwritten",
                                      path=path, field="assets")
    if "title" not in props:
        h1 = re.search(r"^#[ \t]+(.+?)[ \t]*\r?$", body, re.M)
        props = {"title": h1.group(1) if h1 else path.stem, **props}
        plan.properties.append(("(first heading)" if h1 else "(file name)", "meta.title"))
    _identify(plan, props, text, fm, body)
    lang = note_language(body)
    skip: set[int] = set()
    head_lines0 = text.count("\n", 0, fm.end) if fm else 0
    for _ in range(24):
        head = render_frontmatter(props)
        if "\r\n" in body:
            head = head.replace("\n", "\r\n")  # the note keeps its line endings
        line0 = head.count("\n")
        plan.sections, plan.free = [], []
        candidate = head + _rename_headings(body, lang, plan, line0, skip)
        try:
            parsed = parse_note(candidate, path=plan.target, key=key)
        except PapernotesError as exc:
            if exc.line is not None and exc.line <= line0 and _set_aside(props, head, exc, plan):
                continue  # a property the model cannot take: kept as source-<key>
            # a template section whose content the parser cannot read: keep it as free text
            owner = [s for s in plan.sections if exc.line and s[0] <= exc.line]
            if not owner or owner[-1][1] == canonical_title(owner[-1][2], lang):
                shift = (text.count("\n", 0, fm.end) if fm else 0) - line0
                raise exc.at(path=path, line_offset=shift) from None
            skip.add(owner[-1][0] - line0 - 1)
            continue
        if _header_into_properties(parsed, props, plan, line0 - head_lines0):
            continue  # the note's header says otherwise than its properties: the header's
        plan.text = candidate
        _describe_kept(candidate, plan)
        return plan
    raise PapernotesError("could not be read as a note", path=path)


def _header_into_properties(parsed, props: dict[str, Any], plan: ImportPlan, shift: int) -> bool:
    """The header lines under the title that say another date, status or rating than the
    file's properties are what the user last wrote (`format/header.py`): their values become
    the properties, each said in the plan. False when there is none."""
    from papernotes.notes.format.header import UNREADABLE

    edits = [e for e in parsed.header_edits if e.header is not UNREADABLE]
    for e in edits:
        props[e.field] = getattr(e.header, "value", e.header)
        plan.properties.append((e.field, f"{props[e.field]} from the header line "
                                         f"{e.line - shift} ({e.shown!r})"))
    return bool(edits)


def plan_import(paths: Sequence[Path | ImportSource], notes_dir: Path, *,
                hexo_assets: bool = False, progress: Callable[[int, int], None] | None = None,
                renamed_before: dict[str, str] | None = None) -> list[ImportPlan]:
    """The plans of every file (a path, or an `ImportSource` with its folder and vault), names
    chosen first (`naming.py`) so that the links between the files can follow a rename
    (`renamed_before`: renames of an earlier run of the same import, folded old name -> key).
    Files that cannot be imported are all reported at once (`FileProblems`: one line each),
    and then none is planned. `progress(done, total)` is called after each file."""
    sources = [s if isinstance(s, ImportSource) else ImportSource(Path(s)) for s in paths]
    paths = [s.path for s in sources]
    names, renamed = choose_names(paths, notes_dir)
    renamed = {**(renamed_before or {}), **renamed}
    finders: dict[Path, AttachmentFinder] = {}
    homes = {s.path.resolve(): notes_dir.joinpath(*s.folder.split("/")) / f"{name}.md"
             if s.folder else notes_dir / f"{name}.md" for s, name in zip(sources, names)}
    plans, problems = [], []
    for src, name in zip(sources, names):
        path = src.path
        finder = None
        if src.vault is not None:
            finder = finders.setdefault(src.vault, AttachmentFinder(src.vault, notes_dir))
        try:
            plans.append(plan_one(path, notes_dir, set(), hexo_assets=hexo_assets, key=name,
                                  renamed=renamed, folder=src.folder, finder=finder,
                                  homes=homes))
        except PapernotesError as exc:
            problems.append(exc)
        if progress is not None:
            progress(len(plans) + len(problems), len(paths))
    if problems:
        raise FileProblems(problems, f"{len(problems)} of {len(paths)} file(s) cannot be "
                           "imported: nothing written (mend them, or import the others by name)")
    follow_heading_renames(plans)
    return plans

