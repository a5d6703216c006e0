"""Which note a name on the command line means: a key, a title or an alias, any case.

    1. the key exactly (the file name without `.md`; `simclr.md` works too)
    2. the key ignoring case (and Unicode normalisation)        `SimCLR` -> simclr
    3. a title or an alias exactly                              `MoCo v2` -> mocov2
    4. a title or an alias ignoring case

The first step that matches decides; two different notes matching at the same step is an
error naming both (give the key). Titles and aliases are read from the notes' properties
(`title`, `aliases`) only when steps 1 and 2 find nothing, so the usual call costs one folder
listing. A name matches only notes that exist: no path is ever built from the name itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from papernotes.core.errors import PapernotesError
from papernotes.notes.model.names import fold
from papernotes.notes.note_files import iter_note_paths, key_of

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace

EXACT = "key"


@dataclass(frozen=True)
class NoteMatch:
    key: str
    path: Path
    via: str  # "key", "key ignoring case", "title", "alias", "title ignoring case", ...

    @property
    def exact(self) -> bool:
        return self.via == EXACT

    def describe(self, query: str) -> str:
        """One line for the user: which note `query` was taken to mean."""
        return f"note '{self.key}' ({self.path}): '{query}' matches its {self.via}"


def note_names(path: Path) -> tuple[str, list[str]]:
    """The note's `title` and `aliases` properties ("" and [] when unreadable or absent)."""
    from papernotes.notes.format.frontmatter import split_frontmatter

    try:
        fm = split_frontmatter(path.read_text(encoding="utf-8"), path=path)
    except (OSError, UnicodeDecodeError, PapernotesError):
        return "", []
    values = fm.values if fm is not None else {}
    title = values.get("title")
    aliases = values.get("aliases")
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list):
        aliases = []
    return (str(title).strip() if title is not None else "",
            [str(a).strip() for a in aliases if a is not None and str(a).strip()])


def _one(query: str, found: dict[str, tuple[Path, str]]) -> NoteMatch | None:
    if not found:
        return None
    if len(found) > 1:
        keys = sorted(found)
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        raise PapernotesError(f"'{query}' matches several notes: {shown}", field="key",
                              hint="give the key: the file name without .md")
    (key, (path, via)), = found.items()
    return NoteMatch(key, path, via)


def match_note(paths: Iterable[Path], query: str) -> NoteMatch | None:
    """The note among `paths` that `query` names (steps above), or None."""
    query = query.strip()
    files = {key_of(p): p for p in paths}
    name = query
    if name not in files and name.lower().endswith(".md") and name[:-3] in files:
        name = name[:-3]  # the file name, as Obsidian's links also allow
    if name in files:
        return NoteMatch(name, files[name], EXACT)
    folded = fold(name)
    hit = _one(query, {k: (p, "key ignoring case") for k, p in files.items()
                       if fold(k) == folded})
    if hit is not None:
        return hit
    names = {k: note_names(p) for k, p in files.items()}
    for same, how in ((lambda a: a == query, ""),
                      (lambda a: fold(a) == fold(query), " ignoring case")):
        found: dict[str, tuple[Path, str]] = {}
        for k, (title, aliases) in names.items():
            if title and same(title):
                found[k] = (files[k], "title" + how)
            elif any(same(a) for a in aliases):
                found[k] = (files[k], "alias" + how)
        hit = _one(query, found)
        if hit is not None:
            return hit
    return None


def find_note(ws: "Workspace", query: str) -> NoteMatch:
    """The note `query` names in the vault; a one-line error naming near names if none does."""
    from papernotes.notes.model.names import check_key

    paths = iter_note_paths(ws)
    hit = match_note(paths, query)
    if hit is not None:
        return hit
    try:
        check_key(query)
    except ValueError as exc:
        raise PapernotesError(str(exc), field="key") from None
    near = near_keys(ws, query)
    hint = ("did you mean " + ", ".join(near) + "?") if near \
        else "`papernotes list` shows the notes"
    raise PapernotesError(f"no note '{query}' in the vault", path=ws.notes_dir / f"{query}.md",
                          field="key", hint=hint)


def near_keys(ws: "Workspace", key: str, n: int = 3) -> list[str]:
    import difflib

    keys = [key_of(p) for p in iter_note_paths(ws)]
    return difflib.get_close_matches(key, keys, n=n, cutoff=0.5)
