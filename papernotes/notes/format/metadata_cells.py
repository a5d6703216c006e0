"""The metadata table's cells that mirror a property (title, authors, venue, year), kept in
step when a tool changes the property (`papernotes sync`). A cell is rewritten only while it
still shows the property's old value as papernotes renders it (`render.cell`); a cell the user
wrote something else into is theirs and stays."""

from __future__ import annotations

import re
from typing import Any

from papernotes.notes.format.regions import newline_of
from papernotes.notes.format.section_labels import label_of

_ROW = re.compile(r"^(\|\s*\*\*(?P<label>[^*|]+)\*\*\s*\|)(?P<cell>[^|\n]*(?:\\\|[^|\n]*)*)(\|\s*)$")
CELL_FIELDS = {"title": "title", "authors": "authors", "venue": "venue", "year": "year"}


def shown(prop: str, value: Any) -> str:
    """A property's value as the metadata table shows it."""
    from papernotes.notes.format.render import cell

    if value in (None, ""):
        return ""
    if prop == "authors":
        return cell(", ".join(map(str, value or [])))
    return cell(str(value))


def sync_cells(text: str, changes: dict[str, tuple[Any, Any]]) -> str:
    """`text` with each mirrored cell that shows a changed property's old value showing the
    new one (`changes`: property -> (old, new))."""
    wanted = {CELL_FIELDS[p]: (shown(p, old), shown(p, new)) for p, (old, new) in changes.items()
              if p in CELL_FIELDS}
    if not wanted:
        return text
    nl = newline_of(text)
    lines = text.split(nl)
    for i, line in enumerate(lines):
        m = _ROW.match(line)
        if m is None:
            continue
        field = label_of(m.group("label"))
        if field not in wanted:
            continue
        old, new = wanted[field]
        if m.group("cell").strip() == old:
            lines[i] = f"{m.group(1)} {new} {m.group(4)}"
    return nl.join(lines)
