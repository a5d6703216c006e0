"""Rows of `papernotes list`: one per note, filtered by tag and reading status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from papernotes.notes.format.regions import region_body
from papernotes.notes.model.schema import ReadingStatus
from papernotes.notes.model.tags import has_tag

if TYPE_CHECKING:
    from papernotes.notes.format.parse import ParsedNote

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
    lang: str = "en"  # the note's language, for its labels


# Columns of the repro table worth a glance in `list` (papernotes.repro.results.writeback writes them).
_GLANCE = ("dataset", "linear top-1", "kNN top-1")


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def last_result(text: str) -> str:
    """The last run the `repro` region records, at a glance: its dataset and top-1 columns
    (all its cells when the table has none of them); "" when there is no run row yet.

    The first table row is the header; rows whose first cell is bold (the paper's own numbers,
    `**paper**`) are not runs."""
    body = region_body(text, "repro") or ""
    rows = [ln.strip() for ln in body.splitlines()
            if ln.strip().startswith("|") and not _SEPARATOR.match(ln.strip())]
    if len(rows) < 2:
        return ""
    header = _cells(rows[0])
    runs = [r for r in rows[1:] if not _cells(r)[0].startswith("**")]
    if not runs:
        return ""
    cells = dict(zip(header, _cells(runs[-1])))
    picked = [(k, cells[k]) for k in _GLANCE if cells.get(k, "").strip("–- ")]
    if not picked:
        return " · ".join(c for c in _cells(runs[-1]) if c)
    return " · ".join(v if k == "dataset" else f"{k} {v}" for k, v in picked)


def parse_status(value: str) -> ReadingStatus:
    from papernotes.notes.patch_input import parse_choice

    return parse_choice(ReadingStatus, value, "status")


def note_rows(parsed: Iterable["ParsedNote"], *, tag: str | None = None,
              status: ReadingStatus | None = None) -> list[NoteRow]:
    """Rows for the notes that carry `tag` (or a tag nested under it) and have `status`."""
    from collections import Counter

    parsed = list(parsed)
    twice = {k for k, n in Counter(p.note.key for p in parsed).items() if n > 1}
    rows = []
    for p in parsed:
        note = p.note
        shown = note.key
        if note.key in twice and p.path is not None:  # two folders hold the name: its path
            shown = f"{p.path.parent.name}/{note.key}"
        tags = tuple(note.meta.tags)
        if tag and not has_tag(tags, tag):
            continue
        if status is not None and note.status != status:
            continue
        rows.append(NoteRow(shown, note.meta.title or note.key, note.status, note.rating, tags,
                            note.repro or "", last_result(p.text), note.lang))
    return rows
