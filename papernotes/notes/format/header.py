"""The header under a note's title (`**日期：**`, `**状态：** 🟢 已精读`, `**评级：** ⭐⭐⭐`): the
properties `date`, `status` and `rating` as Reading view shows them.

The header is derived from the properties, and it is also where the user sees them, so an edit
there is read back: `read_value` reads each line in any form the template shows and a user
writes (`🔵 在读`, `在读`, `reading`; `⭐⭐⭐⭐☆`, `4/5`, `4 星`; `2024-06-24`, `2024/6/24`,
`2024年6月24日`). Where it disagrees with the property, `parse.py` records a `HeaderEdit` and
the header's value is the note's, unless `notes/header_state.py` knows that the property was
the side changed; `render.render_update` rewrites the other side and says so.

`sync_header` rewrites a value only where its reading differs from the note's (a tool changed
the property): only the value's own part changes (the status word and its emoji, the run of
stars, the date); anything the user wrote around it (`(根据个人理解...)`, a remark) stays, and so
does a value written in the user's own form that already says the same.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from papernotes.notes.format.fences import lines_outside_fences
from papernotes.notes.format.section_labels import LABELS
from papernotes.notes.model.schema import STATUS_LABELS, Note, ReadingStatus

_HEADING = re.compile(r"#{1,6}[ \t]")
_LANGS = ("zh", "en")  # the order of each LABELS entry
UNREADABLE = object()  # a header value no form reads (`2024-13-01`, `good`)

_EMOJI = {"⚪": ReadingStatus.unread, "🟡": ReadingStatus.skimmed, "🔵": ReadingStatus.reading,
          "🟢": ReadingStatus.read_carefully}
_WORDS = {
    "未读": ReadingStatus.unread, "没读": ReadingStatus.unread, "unread": ReadingStatus.unread,
    "已略读": ReadingStatus.skimmed, "略读": ReadingStatus.skimmed, "skimmed": ReadingStatus.skimmed,
    "在读": ReadingStatus.reading, "正在读": ReadingStatus.reading, "阅读中": ReadingStatus.reading,
    "reading": ReadingStatus.reading,
    "已精读": ReadingStatus.read_carefully, "精读": ReadingStatus.read_carefully,
    "已读": ReadingStatus.read_carefully, "read carefully": ReadingStatus.read_carefully,
    "read-carefully": ReadingStatus.read_carefully,
}
_STATUS = re.compile(r"(?P<emoji>[⚪🟡🔵🟢]\ufe0f?)?\s*(?P<word>"
                     + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True))
                     + r")?(?![A-Za-z-])", re.I)
_STARS = re.compile(r"(?:[⭐★☆🌟]\ufe0f?)+")
_SCORE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:/\s*(\d+)|(?:星|分|stars?)(?![A-Za-z]))?",
                    re.I)
_DATE = re.compile(r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class HeaderEdit:
    """A header line that says something else than its property: the header's value won."""

    field: str  # "date", "status" or "rating"
    line: int  # file line of the header line
    shown: str  # the header's value as written
    header: Any  # what it reads as, or UNREADABLE
    prop: Any  # what the property says
    follows: str = "property"  # the side that is rewritten: "property" (the header's value is
    # the note's) or "header" (the property was changed in Obsidian: `notes/header_state.py`)

    @property
    def message(self) -> str:
        if self.header is UNREADABLE:
            return (f"the header line says {self.shown!r}, which is not a {self.field} papernotes "
                    f"reads; the property says {_plain(self.prop)!r}: both are left as they are")
        if self.follows == "header":
            return (f"the property says {_plain(self.prop)!r} (changed since the header line "
                    f"{self.shown!r} was written): the header line now follows it")
        return (f"the header line says {self.shown!r} and the property said "
                f"{_plain(self.prop)!r}: the property now follows the header")


def _plain(value: Any) -> Any:
    if isinstance(value, ReadingStatus):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return value


def read_status(value: str) -> tuple[ReadingStatus | None, tuple[int, int]]:
    """The reading status a header value states, and the span of its emoji and word."""
    m = _STATUS.match(value.strip())
    lead = len(value) - len(value.lstrip())
    if m is None or not (m["emoji"] or m["word"]):
        return None, (lead, lead)
    status = _WORDS[m["word"].lower()] if m["word"] else _EMOJI[m["emoji"][0]]
    return status, (lead + m.start(), lead + m.end())


def read_rating(value: str) -> tuple[Any, tuple[int, int]]:
    """The rating a header value states (1-5, None for no stars), and its span; UNREADABLE."""
    stars = _STARS.search(value)
    if stars is not None:
        n = sum(ch in "⭐★🌟" for ch in stars.group())
        return (n or None), stars.span()
    score = _SCORE.search(value)
    if score is not None and not value[:score.start()].strip():
        n, scale = float(score[1]), float(score[2]) if score[2] else 5.0
        n = round(n * 5 / scale) if scale else 0
        if 0 <= n <= 5 and scale > 0:
            return (n or None), score.span()
    if not value.strip() or value.strip().startswith(("(", "（")):
        return None, (0, 0)  # no rating given (only the template's hint)
    return UNREADABLE, (0, 0)


def read_date(value: str) -> tuple[Any, tuple[int, int]]:
    """The date a header value states, and its span; UNREADABLE for one that is not a date."""
    m = _DATE.search(value)
    if m is None:
        return UNREADABLE, (0, 0)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), m.span()
    except ValueError:
        return UNREADABLE, m.span()


def read_value(name: str, value: str) -> tuple[Any, tuple[int, int]]:
    """What header line `name`'s value states, and where in `value`."""
    if name == "status":
        status, span = read_status(value)
        return (UNREADABLE if status is None else status), span
    return read_rating(value) if name == "rating" else read_date(value)


def _shown(name: str, lang: str, note: Note) -> str:
    if name == "status":
        return STATUS_LABELS[lang][note.status]
    if name == "rating":
        return note.stars() or "☆☆☆☆☆"
    return note.date.isoformat()


def _want(name: str, note: Note) -> Any:
    return {"status": note.status, "rating": note.rating, "date": note.date}[name]


def _value(name: str, lang: str, value: str, note: Note) -> str:
    """`value` saying what `note` says: unchanged when it already does (or cannot be read)."""
    have, (a, b) = read_value(name, value)
    if have is UNREADABLE or have == _want(name, note):
        return value
    new = _shown(name, lang, note)
    if a == b:  # nothing of the value's own to replace: put it first, the user's words after
        return new + (" " + value if value else "")
    return value[:a] + new + value[b:]


def sync_header(text: str, note: Note, *, start: int = 0) -> str:
    """`text` with the header lines under the title (the `# ` heading after `start`, the end of
    the frontmatter, up to the next heading) saying `note`'s date, status and rating.
    Fenced code is skipped."""
    lines = text[start:].split("\n")
    in_title = False
    for i in lines_outside_fences(lines):
        if _HEADING.match(lines[i]):
            in_title = lines[i].startswith("# ")
        elif in_title:
            lines[i] = _line(lines[i], note)
    return text[:start] + "\n".join(lines)


def header_line(line: str) -> tuple[str, str, str, str] | None:
    """(field, language, prefix with the space after it, value) of a header line, else None."""
    body = line.rstrip("\r\n")
    for name, prefixes in LABELS.items():
        for lang, prefix in zip(_LANGS, prefixes):
            if body.startswith(prefix):
                rest = body[len(prefix):]
                value = rest.lstrip()
                return name, lang, prefix + (rest[:len(rest) - len(value)] or " "), value
    return None


def _line(line: str, note: Note) -> str:
    found = header_line(line)
    if found is None:
        return line
    name, lang, prefix, value = found
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    trail = value[len(value.rstrip()):]
    new = _value(name, lang, value.rstrip(), note)
    return line if new == value.rstrip() else prefix + new + trail + ending
