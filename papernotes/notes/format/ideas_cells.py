"""The text of the `ideas` region's cells and list items: one line of Markdown, and back.

A newline is written `<br>` and `|` in a cell `\\|`; a literal `<br>` typed in a text is written
`\\<br>` (a backslash before it doubled), as Markdown itself escapes it. A point's text gets a
backslash before a leading digit or punctuation so that it stays text in a numbered list.
`uncell(cell(t)) == t` after markdown-it has read the table (it undoes `\\|` itself), and
`unpoint(point_item(t)) == t`. Errors name the file line of the cell (`cell_error`).
"""

from __future__ import annotations

import re
import string

from papernotes.core.errors import PapernotesError

_PUNCT = frozenset(string.punctuation)
_BR = re.compile(r"(\\*)<br>")
_NEWLINE = re.compile(r"(\\*)(\r?\n)")


def _line(text: str | None) -> str:
    """One line of Markdown: a literal `<br>` after k backslashes becomes 2k+1 backslashes and
    `<br>`, a newline after k backslashes 2k backslashes and `<br>` (undone by `uncell`)."""
    text = _BR.sub(lambda m: "\\" * (2 * len(m[1]) + 1) + "<br>", text or "")
    return _NEWLINE.sub(lambda m: "\\" * (2 * len(m[1])) + "<br>", text)


def cell(text: str | None) -> str:
    """`text` as the content of one table cell."""
    return _line(text).replace("|", "\\|")


def uncell(text: str) -> str:
    """The text of a cell as markdown-it read it (it already turned `\\|` into `|`)."""
    return _BR.sub(lambda m: "\\" * (len(m[1]) // 2) + ("<br>" if len(m[1]) % 2 else "\n"), text)


def point_item(text: str) -> str:
    """A point's text as a list item: a leading digit or punctuation is backslash-escaped, so
    `> x`, `# x`, `1. x` stay text instead of becoming a quote, heading or nested list."""
    t = _line(text)
    return "\\" + t if t[:1] in _PUNCT or t[:1].isdigit() else t


def unpoint(text: str) -> str:
    """The text of a point's list item (undoes `point_item`)."""
    if text[:1] == "\\" and (text[1:2] in _PUNCT or text[1:2].isdigit()):
        text = text[1:]
    return uncell(text)


def table(header: list[str], rows: list[list[str]], numeric: int) -> list[str]:
    """The lines of a Markdown table; the first `numeric` columns are right-aligned."""
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join(["--:"] * numeric + [":--"] * (len(header) - numeric)) + " |"]
    return out + ["| " + " | ".join(cell(c) for c in cells) + " |" for cells in rows]


def cell_error(msg: str, path, line: int, field: str = "ideas") -> PapernotesError:
    """The one-line error for a cell at file line `line` of the region."""
    return PapernotesError(msg, path=path, line=line, field=field)


def int_cell(text: str, *, path, line: int, field: str) -> int | None:
    """A number cell (None when empty)."""
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise cell_error(f"expected a number, found {text!r}", path, line, field) from None
