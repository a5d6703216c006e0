"""`papernotes sync [KEY ...]`: a note's metadata refreshed from its sources, never over the
user's own edits.

For each note with an identifier (the one `new ID` recorded, else its `arxiv` or `doi`
property: an imported note identified by either is synced the same way), the sources' answers
(the stored ones under `.papernotes/sources/`, or fresh ones with `fetch`) give each property
papernotes fills a new value. A property changes only where papernotes may change it:

- it is empty, or
- it still holds the value papernotes last wrote (`sources/notes/<key>.json`): the user has
  not edited it since, or
- (a note papernotes did not fill) its venue is the preprint's (`arXiv`): the paper has been
  published since.

A property the user changed is left as it is and named; the citekey, once set, never changes
(exports stay stable). Only those properties' lines of the frontmatter, the metadata table's
cells that still show the old value (`format/metadata_cells.py`) and papernotes' own abstract
callout are rewritten; every other byte of the note stays (`update_frontmatter`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papernotes.core.errors import PapernotesError

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace
    from papernotes.notes.remote.ids import PaperId

_PREPRINT = {"", "arxiv", "corr", "arxiv preprint"}


@dataclass
class NoteSync:
    key: str
    path: Path
    pid: "PaperId"
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # prop -> (old, new)
    kept: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # the user's, not changed
    merged: Any = None
    new_props: dict[str, Any] = field(default_factory=dict)
    written: dict[str, Any] = field(default_factory=dict)  # the record's values after the sync

    def diff_lines(self, shown: str) -> list[str]:
        lines = [f"{shown}: {prop}: {_show(old)} -> {_show(new)}" for prop, (old, new)
                 in self.changes.items()]
        lines += [f"{shown}: {prop}: kept {_show(old)}, yours (the source says {_show(new)})"
                  for prop, (old, new) in self.kept.items()]
        return lines


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(map(str, value)) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _empty(value: Any) -> bool:
    return value in (None, "", [])


def note_id(values: dict, record: dict | None) -> "PaperId | None":
    from papernotes.notes.remote.ids import PaperId, parse_id

    ids = (record or {}).get("ids") or {}
    for kind in ("zotero", "arxiv", "doi"):
        if ids.get(kind):
            return PaperId(kind, str(ids[kind]))
    for prop in ("arxiv", "doi"):
        if values.get(prop):
            pid = parse_id(str(values[prop]))
            if pid is not None:
                return PaperId(pid.kind, pid.value)
    return None


def plan_sync(ws: "Workspace", path: Path, *, fetch: bool) -> NoteSync | None:
    """What syncing the note at `path` would change; None for a note without an identifier."""
    from papernotes.core.atomic import read_text_utf8
    from papernotes.notes.format.frontmatter import plain, split_frontmatter
    from papernotes.notes.note_files import key_of
    from papernotes.notes.paper_from_id import FILLED
    from papernotes.notes.remote.lookup import lookup
    from papernotes.notes.remote.store import load_record

    key = key_of(path)
    fm = split_frontmatter(read_text_utf8(path), path=path)
    values = {k: plain(v) for k, v in (fm.values if fm is not None else {}).items()}
    record = load_record(ws.root, key)
    pid = note_id(values, record)
    if pid is None:
        return None
    merged = lookup(ws.root, pid, ws.config.sources, fetch=True if fetch else False)
    written = dict((record or {}).get("written") or {})
    out = NoteSync(key, path, pid, merged=merged)
    made = {}
    if _empty(values.get("citekey")) and _empty(merged.props.get("citekey")):
        from papernotes.notes.paper_from_id import paper_citekey

        made["citekey"] = paper_citekey(ws, {**merged.props, **{k: v for k, v in values.items()
                                                          if k in ("arxiv", "doi")}}, key)
    for name, prop in FILLED.items():
        new = merged.props.get(name) or made.get(name)
        if _empty(new):
            continue
        new = plain(new)
        old = values.get(prop)
        if old == new or (prop == "arxiv" and re.sub(r"v\d+$", "", str(old)) == str(new)):
            written[prop] = old  # the note says what the source says
            continue
        if prop == "citekey" and not _empty(old):
            continue  # a citekey, once set, is the paper's key for good
        ours = prop in written and written[prop] == old
        published = record is None and prop == "venue" and str(old or "").strip().lower() in _PREPRINT
        if _empty(old) or ours or published:
            out.changes[prop] = (old, new)
            out.new_props[prop] = new
            written[prop] = new
        else:
            out.kept[prop] = (old, new)
    out.written = written
    return out


def apply_sync(ws: "Workspace", plan: NoteSync, when: str) -> Path | None:
    """Write `plan` (after a backup of the note, as `new --force` makes one); returns the
    backup, or None when nothing changed."""
    from papernotes.core.locked_update import update_text
    from papernotes.notes.backup import backup_file
    from papernotes.notes.format.abstract_callout import abstract_of, with_abstract
    from papernotes.notes.format.frontmatter import plain, split_frontmatter, update_frontmatter
    from papernotes.notes.format.language import note_language
    from papernotes.notes.format.metadata_cells import sync_cells
    from papernotes.notes.remote.store import save_answer, save_record

    merged = plan.merged

    def change(text: str) -> str:
        fm = split_frontmatter(text, path=plan.path)
        old = {k: plain(v) for k, v in (fm.values if fm is not None else {}).items()}
        text = update_frontmatter(text, old, {**old, **plan.new_props}, path=plan.path)
        text = sync_cells(text, plan.changes)
        quoted = abstract_of(text)
        if quoted is not None and merged.abstract and " ".join(quoted[0].split()) != \
                " ".join(merged.abstract.split()):
            label = f"{merged.abstract_from} {plan.pid.value}"
            text = with_abstract(text, merged.abstract, label, note_language(text))
        return text

    from papernotes.core.atomic import read_text_utf8

    before = read_text_utf8(plan.path)
    if change(before) == before:
        backup = None
    else:
        backup = backup_file(ws, plan.path, when)
        update_text(plan.path, change)
    for answer in merged.answers:
        if not answer.cached:
            save_answer(ws.root, answer)
    ids = {plan.pid.kind: plan.pid.value}
    save_record(ws.root, plan.key, ids, [a.raw_name for a in merged.answers], plan.written)
    return backup


def notes_to_sync(ws: "Workspace", keys: list[str]) -> list[Path]:
    from papernotes.notes.lookup import find_note
    from papernotes.notes.note_files import iter_note_paths

    if keys:
        return [find_note(ws, k).path for k in keys]
    return list(iter_note_paths(ws))


def sync_error(key: str, exc: PapernotesError) -> str:
    return f"{key}: {exc.field + ': ' if exc.field else ''}{exc.message}"
