"""The vault: note files in `<workspace>/notes/`, one `<key>.md` per paper.

Reading goes through `read_text_utf8` (a non-UTF-8 file is a one-line error) and `parse_note`;
writing goes through `atomic_write_text` and never replaces a file unless told to. A note key is
the file name without `.md`, any name Obsidian accepts (`model/names.py`), and is checked
before any path is built from it. `load_note` also takes a title or an alias, in any case
(`lookup.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from papernotes.core.atomic import atomic_write_text, check_writable, read_text_utf8
from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.notes.model.names import check_key
from papernotes.notes.note_files import (
    NOTE_SUFFIX,
    ambiguous_key_message,
    files_of_key,
    iter_note_paths,
    key_of,
)

if TYPE_CHECKING:  # the parser and renderer are imported where they are used
    from papernotes.core.workspace import Workspace
    from papernotes.notes.format.parse import ParsedNote
    from papernotes.notes.model.schema import Note

def note_path(ws: "Workspace", key: str, folder: str | None = None) -> Path:
    """The file of note `key`: the note of that name wherever it sits in notes/ (a name two
    folders hold is a one-line error listing both), else where a new one goes (`folder`
    under notes/, default notes/ itself); a one-line error for a key that is not a plain
    file stem."""
    try:
        check_key(key)
    except ValueError as exc:
        raise PapernotesError(str(exc), field="key") from None
    found = files_of_key(ws, key)
    if len(found) > 1:
        raise PapernotesError(ambiguous_key_message(ws, key, found), field="key",
                              hint="give its folder too, as Obsidian links do")
    if found:
        return found[0]
    return new_note_folder(ws, folder) / f"{key}{NOTE_SUFFIX}"


def new_note_folder(ws: "Workspace", folder: str | None) -> Path:
    """notes/ or the sub-folder `folder` of it (`论文`, `论文/自监督`); each part a name
    Obsidian accepts, so the folder never leaves notes/."""
    if not folder:
        return ws.notes_dir
    parts = [p for p in folder.replace("\\", "/").split("/") if p]
    try:
        for part in parts:
            check_key(part)
    except ValueError as exc:
        raise PapernotesError(f"folder {folder!r}: {exc}", field="folder") from None
    return ws.notes_dir.joinpath(*parts)


def read_path(path: Path, *, key: str | None = None, ws: "Workspace | None" = None) -> "ParsedNote":
    """Read and parse one note file (any location); errors name the file and line. With the
    workspace, a header that disagrees with its properties is decided as `header_state` says."""
    from papernotes.notes.format.parse import parse_note

    text = read_text_utf8(path)
    parsed = parse_note(text, path=path, key=key if key is not None else key_of(path))
    if ws is not None and parsed.header_edits:
        from papernotes.notes.header_state import resolve

        parsed = resolve(ws.root, parsed)
    return parsed


def load_note(ws: "Workspace", key: str) -> "ParsedNote":
    """The parsed note `key` (or the note whose title or alias it is, see `lookup.py`); a
    one-line error if there is none (naming near keys)."""
    from papernotes.notes.lookup import find_note

    match = find_note(ws, key)
    return read_path(match.path, key=match.key, ws=ws)


def iter_notes(ws: "Workspace") -> Iterator["ParsedNote"]:
    """Every note of the vault, parsed; the first broken one raises its one-line error."""
    for path in iter_note_paths(ws):
        yield read_path(path, ws=ws)


def load_all(ws: "Workspace") -> tuple[list["ParsedNote"], list[PapernotesError]]:
    """Every note that parses, and the problems of those that do not (for listings that should
    still show the rest of the vault)."""
    notes, problems = [], []
    for path in iter_note_paths(ws):
        try:
            notes.append(read_path(path, ws=ws))
        except PapernotesError as exc:
            problems.append(exc if exc.path is not None else exc.at(path=path))
    return notes, problems


def save_note(ws: "Workspace", key: str, text: str, *, overwrite: bool,
              folder: str | None = None) -> Path:
    """Write note `key` atomically (where it is, else in `folder` of notes/); refuses to
    replace an existing file unless `overwrite`."""
    return atomic_write_text(note_path(ws, key, folder), text, overwrite=overwrite)


def _refuse_existing(ws: "Workspace", notes: Iterable["Note"], force: bool,
                     folder: str | None = None) -> None:
    from papernotes.notes.model.names import fold

    seen: set[str] = set()
    existing = {fold(key_of(p)): p for p in iter_note_paths(ws)}
    for note in notes:
        if fold(note.key) in seen:
            raise PapernotesError(f"two new notes share the key '{note.key}'", field="key")
        seen.add(fold(note.key))
        path = note_path(ws, note.key, folder)
        if path.exists() and not force:
            raise PapernotesError("note already exists", path=path,
                                  hint="pass --force to make it again: your text, ideas and runs "
                                       "are kept, and the old file is backed up")
        other = existing.get(fold(note.key))
        if other is not None and other.name != path.name:  # Obsidian: one name, any case
            raise PapernotesError(f"note '{key_of(other)}' already has this name in another "
                                  "case", path=path, field="key", hint="choose another --key")


def _remake(ws: "Workspace", note: "Note", path: Path, templates: Path | None,
            source: str | None = None):
    """The existing note at `path` made again from `note`, keeping the user's text."""
    from papernotes.notes.regenerate import regenerate

    try:
        old = read_path(path, key=note.key, ws=ws)
    except PapernotesError as exc:
        raise PapernotesError(exc.message, path=exc.path or path, line=exc.line, field=exc.field,
                              hint="--force keeps your text, so the note must read first: fix "
                                   "this, or move the file away to start over") from None
    return regenerate(old, note, templates_dir=templates, card_key=source)


def write_new_notes(ws: "Workspace", notes: list["Note"], *, force: bool = False,
                    sources: dict[str, str] | None = None, folder: str | None = None
                    ) -> list[Path]:
    """Render and write fresh notes from the workspace's templates. `sources`: the key `new`
    was given for a note made again under its file's own name (`identity.remade_notes`);
    `folder`: the sub-folder of notes/ a new note goes in (a note made again stays where
    it is).

    With `force`, a note that exists is made again over the old one (`notes.regenerate`: the
    user's regions, sections, text and reading state are kept) after a backup of the old file
    (`notes.backup`). Every target is checked (and every note rendered) before the first file
    is written, so a refusal leaves the vault exactly as it was.
    """
    from papernotes.core.notices import inform, warn
    from papernotes.notes.backup import backup_file, stamp
    from papernotes.notes.format.render import render_new
    from papernotes.notes.header_state import record

    _refuse_existing(ws, notes, force, folder)
    target = new_note_folder(ws, folder)
    check_writable(target)  # before any backup is made or note rendered
    templates = ws.templates_dir if ws.templates_dir.is_dir() else None
    texts, remade = [], []
    for n in notes:
        path = note_path(ws, n.key, folder)
        if force and path.is_file():
            again = _remake(ws, n, path, templates, (sources or {}).get(n.key))
            texts.append((n.key, again.text))
            remade.append((path, again))
        else:
            texts.append((n.key, render_new(n, templates_dir=templates)))
    when = stamp()
    for path, again in remade:
        backup = backup_file(ws, path, when)
        inform("made again; your ideas, runs, own sections, text and reading state are kept",
               path=path, hint=f"the old file is in {backup}")
        if again.kept:
            warn("your own text was kept in " + ", ".join(f"'{t}'" for t in again.kept)
                 + " instead of the source's", path=path,
                 hint=f"compare with `{command('new', (sources or {}).get(path.stem, path.stem))}`"
                      " in another vault")
    written = [save_note(ws, key, text, overwrite=force, folder=folder) for key, text in texts]
    again_by_path = {path: again.note for path, again in remade}
    record(ws.root, [(path, again_by_path.get(path) or n) for path, n in zip(written, notes)])
    return written


def update_note(ws: "Workspace", key: str, change: Callable[["Note"], "Note"]) -> tuple[Path, "Note"]:
    """Apply `change` to note `key` and write it back through `render_update`.

    Only frontmatter properties and managed regions that differ are rewritten; every other byte
    of the user's file is kept. Nothing is written if the text does not change. The write is a
    locked read-modify-write (`papernotes.core.locked_update`): a concurrent papernotes process or an
    edit in Obsidian made meanwhile is kept, `change` being applied again to the newer text.
    """
    from papernotes.core.locked_update import update_text
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.format.render import render_update
    from papernotes.notes.header_state import record, resolve
    from papernotes.notes.lookup import find_note

    match = find_note(ws, key)  # a title, alias or path finds its note; else the one-line error
    key, path = match.key, match.path
    out: dict = {}

    def apply(text: str) -> str:
        parsed = resolve(ws.root, parse_note(text, path=path, key=key))
        out["note"] = change(parsed.note)
        return render_update(parsed, out["note"])

    update_text(path, apply)
    record(ws.root, [(path, out["note"])])
    return path, out["note"]


def key_from_title(title: str) -> str:
    """The note name for a title, as close to it as Obsidian allows (`model/names.py`):
    `"对比学习综述 2"` -> `对比学习综述 2`, `"BERT: Pre-training"` -> `BERT Pre-training`.
    A title with nothing left (`"???"`) gives an error asking for --key."""
    from papernotes.notes.model.names import name_from_title

    key = name_from_title(title)
    if not key:
        raise PapernotesError(f"cannot make a note name from the title {title!r}", field="key",
                              hint="pass --key")
    return key
