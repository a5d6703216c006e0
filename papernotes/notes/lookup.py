"""Which note a name on the command line means: a key, a title or an alias, any case.

    0. a path-qualified name (`论文/DINO`, `notes/论文/DINO.md`): the note whose path ends so
    1. the key exactly (the file name without `.md`; `simclr.md` works too)
    2. the key ignoring case (and Unicode normalisation)        `SimCLR` -> simclr
    3. a title or an alias exactly                              `MoCo v2` -> mocov2
    4. a title or an alias ignoring case

The first step that matches decides; two different notes matching at the same step is an
error naming both (give the key). Notes sit in notes/ at any depth; a key two folders hold
is an error listing both paths (give the path, `论文/DINO`, as Obsidian's links do). Titles and aliases are read from the notes' properties
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


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def _several_files(query: str, paths: list[Path], root: Path | None) -> PapernotesError:
    return PapernotesError(f"'{query}' is the name of {len(paths)} notes: "
                           + ", ".join(_shown(p, root) for p in paths), field="key",
                           hint="give its folder too, as Obsidian links do: "
                                f"{_qualified(paths[0], root)}")


def _qualified(path: Path, root: Path | None) -> str:
    shown = _shown(path, root)
    return shown[:-3] if shown.endswith(".md") else shown


def _by_path(paths: list[Path], query: str, root: Path | None) -> NoteMatch | None:
    """A path-qualified query: the note whose path (without `.md`) ends with it."""
    want = fold(query.strip("/").removesuffix(".md"))
    hits = [p for p in paths
            if ("/" + fold(p.as_posix().removesuffix(".md"))).endswith("/" + want)]
    if len(hits) > 1:
        raise _several_files(query, hits, root)
    return NoteMatch(key_of(hits[0]), hits[0], "path") if hits else None


def match_note(paths: Iterable[Path], query: str, root: Path | None = None) -> NoteMatch | None:
    """The note among `paths` that `query` names (steps above), or None; `root` is what the
    paths of an ambiguous name are shown relative to."""
    query = query.strip()
    paths = list(paths)
    if "/" in query.replace("\\", "/"):
        return _by_path(paths, query.replace("\\", "/"), root)
    groups: dict[str, list[Path]] = {}
    for p in paths:
        groups.setdefault(key_of(p), []).append(p)
    files = {k: v[0] for k, v in groups.items()}
    name = query
    if name not in files and name.lower().endswith(".md") and name[:-3] in files:
        name = name[:-3]  # the file name, as Obsidian's links also allow
    if name in files:
        if len(groups[name]) > 1:
            raise _several_files(name, groups[name], root)
        return NoteMatch(name, files[name], EXACT)
    folded = fold(name)
    same_case = [k for k in files if fold(k) == folded]
    if len(same_case) == 1 and len(groups[same_case[0]]) > 1:
        raise _several_files(same_case[0], groups[same_case[0]], root)
    hit = _one(query, {k: (files[k], "key ignoring case") for k in same_case})
    if hit is not None:
        return hit
    names = {p: note_names(p) for p in paths}
    for same, how in ((lambda a: a == query, ""),
                      (lambda a: fold(a) == fold(query), " ignoring case")):
        found: dict[str, tuple[Path, str]] = {}
        for p, (title, aliases) in names.items():
            label = key_of(p) if len(groups[key_of(p)]) == 1 else _qualified(p, root)
            if title and same(title):
                found[label] = (p, "title" + how)
            elif any(same(a) for a in aliases):
                found[label] = (p, "alias" + how)
        hit = _one(query, found)
        if hit is not None:
            return NoteMatch(key_of(hit.path), hit.path, hit.via)
    return None


def find_note(ws: "Workspace", query: str) -> NoteMatch:
    """The note `query` names in the vault; a one-line error naming near names if none does."""
    from papernotes.notes.model.names import check_key

    paths = iter_note_paths(ws)
    hit = match_note(paths, query, ws.root)
    if hit is not None:
        return hit
    try:
        for part in query.replace("\\", "/").split("/"):  # a path-qualified name: each part
            check_key(part)
    except ValueError:
        try:
            check_key(query)  # the whole name in the message
        except ValueError as exc:
            raise PapernotesError(str(exc), field="key") from None
    try:
        check_key(query.replace("\\", "/").rsplit("/", 1)[-1])
    except ValueError as exc:
        raise PapernotesError(str(exc), field="key") from None
    near = near_keys(ws, query)
    hint = ("did you mean " + ", ".join(near) + "?") if near \
        else "`papernotes list` shows the notes"
    raise PapernotesError(f"no note '{query}' in the vault", path=ws.notes_dir / f"{query}.md",
                          field="key", hint=hint)


def near_keys(ws: "Workspace", key: str, n: int = 3) -> list[str]:
    import difflib

    keys = sorted({key_of(p) for p in iter_note_paths(ws)})
    return difflib.get_close_matches(key, keys, n=n, cutoff=0.5)
