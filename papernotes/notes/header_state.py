"""Which side of a note's header changed: the header line or its property.

The header under the title (date, status, rating) and the properties say the same thing after
every tool write. When they differ, the user changed one of them: the header line in the note
(`**状态：** 🔵 在读`) or the property in Obsidian's property panel. Which one is known by what
they said when they last agreed, remembered per note in `<workspace>/.papernotes/header-state.json`
(`root` below is the workspace's folder):

- the header still says what both said then: the property was changed, and the header follows it;
- otherwise (the property still says it, or nothing is remembered): the header line was
  changed, and the property follows the header.

Either way the write says which side it followed (`render.render_update`). The file is a
memory, not a source of truth: a missing or unreadable one means "not remembered", and failing
to write it changes nothing else.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from papernotes.core.atomic import atomic_write_text

if TYPE_CHECKING:
    from papernotes.notes.format.parse import ParsedNote
    from papernotes.notes.model.schema import Note

STATE_FILE = Path(".papernotes") / "header-state.json"


def _file(root: Path) -> Path:
    return Path(root) / STATE_FILE


def _name(root: Path, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(Path(path).resolve())


def _load(root: Path) -> dict:
    try:
        data = json.loads(_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def values(note: "Note") -> dict:
    """What the header shows of `note`, as plain JSON values."""
    return {"date": note.date.isoformat(), "status": note.status.value, "rating": note.rating}


def _plain(field: str, value) -> object:
    if field == "date":
        return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)
    return getattr(value, "value", value)


def resolve(root: Path, parsed: "ParsedNote") -> "ParsedNote":
    """`parsed` with each header/property disagreement decided as the module says: where the
    property was the one changed, the note takes the property's value and the edit is marked
    `follows="header"` (the header line will follow the property)."""
    if not parsed.header_edits or parsed.path is None:
        return parsed
    from papernotes.notes.model.schema import ReadingStatus

    last = _load(root).get(_name(root, parsed.path))
    if not isinstance(last, dict):
        return parsed
    update, edits = {}, []
    for edit in parsed.header_edits:
        if edit.follows == "property" and field_changed(edit, last) is False:
            update[edit.field] = ReadingStatus(edit.prop) if edit.field == "status" else edit.prop
            edit = replace(edit, follows="header")
        edits.append(edit)
    if not update:
        return parsed
    return replace(parsed, note=parsed.note.model_copy(update=update), header_edits=tuple(edits))


def field_changed(edit, last: dict) -> bool | None:
    """Whether the header line of `edit` changed since both sides last agreed (None: unknown)."""
    if edit.field not in last:
        return None
    return _plain(edit.field, edit.header) != last[edit.field]


def record(root: Path, notes: Iterable[tuple[Path, "Note"]]) -> None:
    """Remember what the header of each written note says (header and property agree now)."""
    notes = list(notes)
    if not notes:
        return
    data = _load(root)
    for path, note in notes:
        data[_name(root, path)] = values(note)
    try:
        atomic_write_text(_file(root), json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
                          + "\n", overwrite=True)
    except Exception:  # noqa: BLE001 - a memory only: the note itself is written
        pass
