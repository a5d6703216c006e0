"""The header under a note's title (`**日期：**`, `**状态：** 🟢 已精读`, `**评级：** ⭐⭐⭐`):
derived from the properties `date`, `status` and `rating`, kept in step with them on every
rewrite so that Reading view never shows a stale status.

Only the value's own part changes: the status label, the run of stars, the ISO date; anything
the user wrote after it (`(根据个人理解...)`, a remark) stays.
"""

from __future__ import annotations

import re

from papernotes.notes.format.fences import lines_outside_fences
from papernotes.notes.format.section_labels import LABELS
from papernotes.notes.model.schema import STATUS_LABELS, Note

_STARS = re.compile(r"[⭐☆]+")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_HEADING = re.compile(r"#{1,6}[ \t]")
_LANGS = ("zh", "en")  # the order of each LABELS entry
_ALL_STATUS = sorted({lbl for t in STATUS_LABELS.values() for lbl in t.values()}, key=len,
                     reverse=True)


def _value(name: str, lang: str, value: str, note: Note) -> str:
    if name == "status":
        new = STATUS_LABELS[lang][note.status]
        old = next((lbl for lbl in _ALL_STATUS if value.startswith(lbl)), None)
        return new + (value[len(old):] if old else "")
    if name == "rating":
        stars = note.stars() or "☆☆☆☆☆"
        m = _STARS.search(value)
        return (value[:m.start()] + stars + value[m.end():]) if m else \
            (stars + " " + value if value else stars)
    m = _DATE.search(value)
    date = note.date.isoformat()
    return value[:m.start()] + date + value[m.end():] if m else date


def sync_header(text: str, note: Note, *, start: int = 0) -> str:
    """`text` with the header lines under the title (the `# ` heading after `start`, the end of
    the frontmatter, up to the next heading) rewritten from `note`'s date, status and rating.
    Fenced code is skipped."""
    lines = text[start:].split("\n")
    in_title = False
    for i in lines_outside_fences(lines):
        if _HEADING.match(lines[i]):
            in_title = lines[i].startswith("# ")
        elif in_title:
            lines[i] = _line(lines[i], note)
    return text[:start] + "\n".join(lines)


def _line(line: str, note: Note) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    for name, prefixes in LABELS.items():
        for lang, prefix in zip(_LANGS, prefixes):
            if body.startswith(prefix):
                rest = body[len(prefix):]
                value = rest.lstrip()
                space = rest[:len(rest) - len(value)] or " "
                trail = value[len(value.rstrip()):]
                new = _value(name, lang, value.rstrip(), note)
                return prefix + space + new + trail + ending
    return line
