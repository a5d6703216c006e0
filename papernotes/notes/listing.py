"""Rows of `papernotes list`: one per note, filtered by tag and reading status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from papernotes.notes.regions import region_body
from papernotes.notes.schema import ReadingStatus
from papernotes.notes.tags import normalize_tag

if TYPE_CHECKING:
    from papernotes.notes.parse import ParsedNote

_SEPARATOR = re.compile(r"^\|[\s:|-]+\|?$")


@dataclass(frozen=True)
class NoteRow:
    key: str
    title: str
    status: ReadingStatus
    rating: int | None
    tags: tuple[str, ...]
    repro: str
    last_result: str


def last_result(text: str) -> str:
    """The last result the `repro` region records: its last table row (cells joined), else its
    last non-empty line; "" when the note has no such region."""
    body = region_body(text, "repro") or ""
    lines = [ln.strip() for ln in body.splitlines() if ln.strip() and not ln.strip().startswith("%%")]
    rows = [ln for ln in lines if ln.startswith("|") and not _SEPARATOR.match(ln)]
    if len(rows) >= 2:  # the first row is the header
        cells = [c.strip() for c in rows[-1].strip("|").split("|")]
        return " · ".join(c for c in cells if c)
    plain = [ln for ln in lines if not ln.startswith("|")]
    return plain[-1].lstrip("-* ").strip() if plain else ""


def parse_status(value: str) -> ReadingStatus:
    from papernotes.notes.patching import parse_choice

    return parse_choice(ReadingStatus, value, "status")


def note_rows(parsed: Iterable["ParsedNote"], *, tag: str | None = None,
              status: ReadingStatus | None = None) -> list[NoteRow]:
    """Rows for the notes that carry `tag` (or a tag nested under it) and have `status`."""
    want = normalize_tag(tag) if tag else None
    rows = []
    for p in parsed:
        note = p.note
        tags = tuple(note.meta.tags)
        if want and not any(t == want or t.startswith(want + "/") for t in tags):
            continue
        if status is not None and note.status != status:
            continue
        rows.append(NoteRow(note.key, note.meta.title or note.key, note.status, note.rating, tags,
                            note.repro or "", last_result(p.text)))
    return rows
