"""Markdown to Note: read a paper note (ours or the user's template) back into the model.

markdown-it-py gives the block structure (headings, lists, tables, fences, with line ranges);
`note_sections` reads each template section's fields from the source lines those blocks cover.
Placeholders read as empty; the frontmatter wins over the body for the fields both carry.
Sections the user added are listed in `ParsedNote.sections` and stay in `ParsedNote.text`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it.token import Token
from pydantic import ValidationError

from papernotes.core.errors import NoteProblems, PapernotesError, problems_of
from papernotes.notes.format.frontmatter import Frontmatter, split_frontmatter
from papernotes.notes.format.header import UNREADABLE, HeaderEdit
from papernotes.notes.format.ideas import parse_ideas
from papernotes.notes.format.language import TITLE_PREFIXES, note_language
from papernotes.notes.format.markdown import parse_blocks
from papernotes.notes.format.model_errors import model_problems
from papernotes.notes.format.note_sections import READERS, FieldReader
from papernotes.notes.format.placeholders import filled
from papernotes.notes.format.properties import PROPERTY_FIELDS, unwikilink
from papernotes.notes.format.regions import Region, find_regions
from papernotes.notes.format.section_labels import section_of
from papernotes.notes.model.schema import STATUS_LABELS, Note, ReadingStatus

_STATUS_VALUES = frozenset(s.value for s in ReadingStatus)
_STATUS_BY_LABEL = {lbl: s.value for t in STATUS_LABELS.values() for s, lbl in t.items()}


@dataclass(frozen=True)
class Section:
    title: str  # heading text as written
    kind: str  # "metadata", "abstract", ... "title" for the H1, "user" for one the user added
    level: int
    line: int  # 1-based file line of the heading
    end_line: int  # 1-based file line where the next heading starts (or one past the end)


@dataclass(frozen=True)
class ParsedNote:
    note: Note
    text: str
    path: Path | None = None
    frontmatter: Frontmatter | None = None
    sections: list[Section] = field(default_factory=list)
    regions: dict[str, Region] = field(default_factory=dict)
    header_edits: tuple[HeaderEdit, ...] = ()  # header lines that disagree with their property

    def section(self, kind: str) -> Section | None:
        return next((s for s in self.sections if s.kind == kind), None)


def parse_note(text: str, *, path=None, key: str | None = None) -> ParsedNote:
    """Parse a note; a one-line PapernotesError (file:line: field: ...) for anything malformed."""
    fm = split_frontmatter(text, path=path)
    start = fm.end if fm else 0
    regions = find_regions(text, path=path)
    r = FieldReader(text[start:], text.count("\n", 0, start), path)
    sections = _read_sections(r, parse_blocks(_without_region_bodies(text, start, regions)))
    r.data["lang"] = note_language(text[start:])  # the one decision every tool uses
    problems: list[PapernotesError] = []  # all of them, so that one run shows every one
    ideas = regions.get("ideas")
    if ideas is not None:
        try:
            r.data["ideas"] = parse_ideas(text[ideas.body_start:ideas.body_end], path=path,
                                          first_line=ideas.line + 1)
        except PapernotesError as exc:
            problems += problems_of(exc)
    edits: list[HeaderEdit] = []
    if fm is not None:
        _read_properties(r, fm)
        edits = _header_wins(r, fm)
    r.data["key"] = key or (Path(path).stem if path else "note")
    try:
        note = Note.model_validate(r.data)
    except ValidationError as exc:
        problems += model_problems(exc, path=path, line_of=r.line_of, where_of=r.where_of,
                                   lang=r.data.get("lang", "en"))
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise (problems[0] if len(problems) == 1 else NoteProblems(problems))
    return ParsedNote(note, text, Path(path) if path else None, fm, sections, regions,
                      tuple(edits))


def _header_wins(r: FieldReader, fm: Frontmatter) -> list[HeaderEdit]:
    """Header lines that say another date, status or rating than their property: the user
    edited the header (tools keep the two in step), so the header's value is the note's. A
    header value no form reads is recorded too (its property stays; the write says so)."""
    edits = []
    for name, (read, line, shown) in r.header.items():
        if name not in fm.values:
            continue
        prop = fm.values[name]
        if name == "status" and isinstance(prop, str):
            prop = _STATUS_BY_LABEL.get(prop, prop)
        if read is UNREADABLE:
            edits.append(HeaderEdit(name, line, shown, read, prop))
            continue
        value = read.value if name == "status" else read
        if _same(name, value, prop) or not _valid(name, prop):
            continue  # a property that is wrong itself is reported as it is (validate)
        edits.append(HeaderEdit(name, line, shown, value, prop))
        r.put(name, value, line)
    return edits


def _valid(name: str, prop: Any) -> bool:
    if name == "status":
        return prop in _STATUS_VALUES
    if name == "rating":
        return prop is None or (type(prop) is int and 1 <= prop <= 5)
    return isinstance(prop, dt.date)


def _same(name: str, value: Any, prop: Any) -> bool:
    if name == "date":
        prop = prop.date() if isinstance(prop, dt.datetime) else prop
        return isinstance(prop, dt.date) and prop == value or str(prop) == str(value)
    return value == prop or (prop in (None, "") and value in (None, ""))


def _without_region_bodies(text: str, start: int, regions: dict[str, Region]) -> str:
    """The body with each region's inside blanked (same line count): sections never read
    tool-owned text, and a long repro table is not parsed for nothing."""
    out, pos = [], start
    for reg in sorted(regions.values(), key=lambda g: g.body_start):
        if reg.body_start < start:
            continue
        out.append(text[pos:reg.body_start])
        out.append("\n" * text.count("\n", reg.body_start, reg.body_end))
        pos = reg.body_end
    out.append(text[pos:])
    return "".join(out)


def _read_properties(r: FieldReader, fm: Frontmatter) -> None:
    for prop, dotted in PROPERTY_FIELDS.items():
        if prop not in fm.values:
            continue
        value: Any = fm.values[prop]
        if prop in ("aliases", "tags", "authors", "related"):
            # Obsidian also accepts a single value where a list is expected
            value = [] if value in (None, "") else [value] if isinstance(value, str) else value
            if prop == "related" and isinstance(value, list):
                value = [unwikilink(v) if isinstance(v, str) else v for v in value]
        elif prop == "status" and isinstance(value, str):
            value = _STATUS_BY_LABEL.get(value, value)
        elif prop == "date" and value is None:
            continue
        elif value is None and prop in ("title", "venue", "code", "pdf"):
            value = ""
        # the line is looked up (a slower round-trip load) only if the value turns out bad
        r.put(dotted, value, lambda prop=prop: fm.line_of(prop))


def _read_sections(r: FieldReader, tokens: list[Token]) -> list[Section]:
    heads = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0]
    sections: list[Section] = []
    for n, i in enumerate(heads):
        tok, title = tokens[i], tokens[i + 1].content.strip()
        nxt = heads[n + 1] if n + 1 < len(heads) else len(tokens)
        end_line = tokens[nxt].map[0] if nxt < len(tokens) else len(r.lines)
        level = int(tok.tag[1])
        if level == 1:
            kind = "title"
            for prefix in TITLE_PREFIXES:
                if title.startswith(prefix):
                    r.set("meta.title", filled(title[len(prefix):]), tok.map[0])
        else:
            kind = (section_of(title) or "user") if level == 2 else "user"
        sections.append(Section(title, kind, level, r.file_line(tok.map[0]), r.file_line(end_line)))
        reader = READERS.get(kind)
        if reader is not None:
            reader(r, tokens, i + 3, nxt, end_line)
    return sections
