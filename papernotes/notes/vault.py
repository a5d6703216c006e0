"""The vault: note files in `<workspace>/notes/`, one `<key>.md` per paper.

Reading goes through `read_text_utf8` (a non-UTF-8 file is a one-line error) and `parse_note`;
writing goes through `atomic_write_text` and never replaces a file unless told to. A note key is
a file stem and is checked before any path is built from it (no `/`, no `..`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from papernotes.atomic import atomic_write_text, read_text_utf8
from papernotes.errors import PapernotesError

if TYPE_CHECKING:  # the parser and renderer are imported where they are used
    from papernotes.notes.format.parse import ParsedNote
    from papernotes.notes.model.schema import Note
    from papernotes.workspace import Workspace

NOTE_SUFFIX = ".md"


def note_path(ws: "Workspace", key: str) -> Path:
    """The file of note `key`; a one-line error for a key that is not a plain file stem."""
    return ws.note_path(key)


def iter_note_paths(ws: "Workspace") -> list[Path]:
    """Every note file of the vault, sorted by key (hidden and temporary files skipped)."""
    folder = ws.notes_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{NOTE_SUFFIX}")
                  if not p.name.startswith(".") and p.is_file())


def key_of(path: Path) -> str:
    return path.name[: -len(NOTE_SUFFIX)] if path.name.endswith(NOTE_SUFFIX) else path.stem


def read_path(path: Path, *, key: str | None = None) -> "ParsedNote":
    """Read and parse one note file (any location); errors name the file and line."""
    from papernotes.notes.format.parse import parse_note

    text = read_text_utf8(path)
    return parse_note(text, path=path, key=key if key is not None else key_of(path))


def load_note(ws: "Workspace", key: str) -> "ParsedNote":
    """The parsed note `key`; a one-line error if it does not exist (naming near keys)."""
    path = note_path(ws, key)
    if not path.is_file():
        near = near_keys(ws, key)
        hint = ("did you mean " + ", ".join(near) + "?") if near else "`papernotes list` shows the notes"
        raise PapernotesError(f"no note '{key}' in the vault", path=path, field="key", hint=hint)
    return read_path(path, key=key)


def iter_notes(ws: "Workspace") -> Iterator["ParsedNote"]:
    """Every note of the vault, parsed; the first broken one raises its one-line error."""
    for path in iter_note_paths(ws):
        yield read_path(path)


def load_all(ws: "Workspace") -> tuple[list["ParsedNote"], list[PapernotesError]]:
    """Every note that parses, and the problems of those that do not (for listings that should
    still show the rest of the vault)."""
    notes, problems = [], []
    for path in iter_note_paths(ws):
        try:
            notes.append(read_path(path))
        except PapernotesError as exc:
            problems.append(exc if exc.path is not None else exc.at(path=path))
    return notes, problems


def near_keys(ws: "Workspace", key: str, n: int = 3) -> list[str]:
    import difflib

    keys = [key_of(p) for p in iter_note_paths(ws)]
    return difflib.get_close_matches(key, keys, n=n, cutoff=0.5)


def save_note(ws: "Workspace", key: str, text: str, *, overwrite: bool) -> Path:
    """Write note `key` atomically; refuses to replace an existing file unless `overwrite`."""
    return atomic_write_text(note_path(ws, key), text, overwrite=overwrite)


def _refuse_existing(ws: "Workspace", notes: Iterable["Note"], force: bool) -> None:
    seen: set[str] = set()
    for note in notes:
        if note.key in seen:
            raise PapernotesError(f"two new notes share the key '{note.key}'", field="key")
        seen.add(note.key)
        path = note_path(ws, note.key)
        if path.exists() and not force:
            raise PapernotesError("note already exists; pass --force to overwrite", path=path)


def write_new_notes(ws: "Workspace", notes: list["Note"], *, force: bool = False) -> list[Path]:
    """Render and write fresh notes from the workspace's templates.

    Every target is checked (and every note rendered) before the first file is written, so a
    refusal leaves the vault exactly as it was.
    """
    from papernotes.notes.format.render import render_new

    _refuse_existing(ws, notes, force)
    templates = ws.templates_dir if ws.templates_dir.is_dir() else None
    texts = [(n.key, render_new(n, templates_dir=templates)) for n in notes]
    return [save_note(ws, key, text, overwrite=force) for key, text in texts]


def write_new_note(ws: "Workspace", note: "Note", *, force: bool = False) -> Path:
    return write_new_notes(ws, [note], force=force)[0]


def update_note(ws: "Workspace", key: str, change: Callable[["Note"], "Note"]) -> tuple[Path, "Note"]:
    """Apply `change` to note `key` and write it back through `render_update`.

    Only frontmatter properties and managed regions that differ are rewritten; every other byte
    of the user's file is kept. Nothing is written if the text does not change. The write is a
    locked read-modify-write (`papernotes.locked_update`): a concurrent papernotes process or an
    edit in Obsidian made meanwhile is kept, `change` being applied again to the newer text.
    """
    from papernotes.locked_update import update_text
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.format.render import render_update

    path = note_path(ws, key)
    if not path.is_file():
        load_note(ws, key)  # the usual one-line error, naming near keys
    out: dict = {}

    def apply(text: str) -> str:
        parsed = parse_note(text, path=path, key=key)
        out["note"] = change(parsed.note)
        return render_update(parsed, out["note"])

    update_text(path, apply)
    return path, out["note"]


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def key_from_title(title: str) -> str:
    """A note key from a title: `"A Simple Framework for ..."` -> `"a-simple-framework-for"`.

    At most six words; a title with no Latin letters or digits gives an error asking for --key.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = [w for w in _SLUG_DROP.split(ascii_title.lower()) if w]
    if not words:
        raise PapernotesError(f"cannot make a note key from the title {title!r}", field="key",
                              hint="pass --key")
    return "-".join(words[:6])
