"""Which paper a note is about, so the vault holds each paper once.

A paper is known by its arXiv id (without the version), its DOI, or, failing those, its
title (case, spaces and punctuation ignored). A note is a paper at all when it names authors,
an arXiv id or a DOI: a note with only a title (`new --title "Reading list"`) is not, and
`export --bibtex` leaves it out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from papernotes.core.shell import command

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace
    from papernotes.notes.model.schema import Metadata, Note

DOI_URL = "https://doi.org/"
_VERSION = re.compile(r"v\d+$")
_NOT_WORD = re.compile(r"[\W_]+")


def arxiv_id(value: str | None) -> str | None:
    return _VERSION.sub("", value.strip().lower()) if value else None


def doi_of(meta: "Metadata") -> str | None:
    if meta.doi:
        return meta.doi.lower()
    url = meta.paper_url.strip()
    return url[len(DOI_URL):].lower() if url.lower().startswith(DOI_URL) else None


def title_id(title: str) -> str | None:
    squashed = _NOT_WORD.sub("", title.casefold())
    return squashed or None


def paper_ids(meta: "Metadata", *, with_title: bool = True) -> set[str]:
    """`arxiv:...`, `doi:...` and (if asked) `title:...` ids of the paper `meta` describes."""
    ids = set()
    if (a := arxiv_id(meta.arxiv)) is not None:
        ids.add(f"arxiv:{a}")
    if (d := doi_of(meta)) is not None:
        ids.add(f"doi:{d}")
    if with_title and (t := title_id(meta.title)) is not None:
        ids.add(f"title:{t}")
    return ids


def is_paper(note: "Note") -> bool:
    m = note.meta
    return bool(m.authors or m.arxiv or doi_of(m))


def vault_papers(ws: "Workspace") -> dict[str, Path]:
    """The ids of the papers the vault's notes are about (arXiv id, DOI and title properties, read
    from the frontmatter only, so this stays fast on a large vault) -> the note's file."""
    from papernotes.core.atomic import read_text_utf8
    from papernotes.core.errors import PapernotesError
    from papernotes.notes.format.frontmatter import split_frontmatter
    from papernotes.notes.vault import iter_note_paths

    out: dict[str, Path] = {}
    for path in iter_note_paths(ws):
        try:
            fm = split_frontmatter(read_text_utf8(path), path=path)
        except PapernotesError:  # `validate` reports it; it names no paper here
            continue
        values = fm.values if fm is not None else {}
        arxiv = arxiv_id(str(values["arxiv"])) if values.get("arxiv") else None
        doi = str(values["doi"]).strip().lower() if values.get("doi") else None
        title = title_id(str(values.get("title") or ""))
        for pid in ([f"arxiv:{arxiv}"] if arxiv else []) + ([f"doi:{doi}"] if doi else []) \
                + ([f"title:{title}"] if title else []):
            out.setdefault(pid, path)
    return out


def _what(kind: str, value: str) -> str:
    return {"arxiv": f"arXiv id {value}", "doi": f"DOI {value}"}.get(kind, "title")


def already_in_vault(ws: "Workspace", notes: Iterable["Note"]) -> dict[str, tuple[Path, str]]:
    """Notes (by key) whose paper the vault already has under another key -> (that note's
    file, what matched: `arXiv id 2002.05709` or `title`)."""
    from papernotes.notes.model.names import fold
    from papernotes.notes.note_files import iter_note_paths, key_of

    known = vault_papers(ws)
    own = {fold(key_of(p)) for p in iter_note_paths(ws)}
    found: dict[str, tuple[Path, str]] = {}
    for note in notes:
        if fold(note.key) in own:
            continue  # its own file (`new --force`): another note of the paper is no reason
        for pid in sorted(paper_ids(note.meta)):  # arxiv before title
            path = known.get(pid)
            if path is not None and path.stem != note.key:
                kind, value = pid.split(":", 1)
                found[note.key] = (path, _what(kind, value))
                break
    return found


def drop_known_papers(ws: "Workspace", notes: list["Note"]) -> list["Note"]:
    """`notes` without those whose paper the vault already has under another key, each named
    in a warning; an error (naming the note that has it) if that leaves none."""
    from papernotes.core.errors import PapernotesError
    from papernotes.core.notices import warn

    found = already_in_vault(ws, notes)
    keep = [n for n in notes if n.key not in found]
    for key, (path, what) in found.items():
        try:
            shown = path.resolve().relative_to(ws.root.resolve()).as_posix()
        except ValueError:
            shown = str(path)
        message = f"'{key}' is already in the vault as {shown} (same {what})"
        hint = f"`{command('show', path.stem)}`"
        if not keep:
            raise PapernotesError(message, field="new", hint=hint)
        warn(message + "; not made again", field="new", hint=hint)
    return keep


def refuse_known_id(ws: "Workspace", kind: str, value: str) -> None:
    """`new ID` for a paper the vault has (same arXiv id or DOI): the same one line as
    drop_known_papers, before any source is asked (offline too)."""
    from papernotes.core.errors import PapernotesError

    pid = f"arxiv:{arxiv_id(value)}" if kind == "arxiv" else f"doi:{value.strip().lower()}"
    path = vault_papers(ws).get(pid) if kind in ("arxiv", "doi") else None
    if path is None:
        return
    try:
        shown = path.resolve().relative_to(ws.root.resolve()).as_posix()
    except ValueError:
        shown = str(path)
    raise PapernotesError(f"'{value}' is already in the vault as {shown} "
                          f"(same {_what(*pid.split(':', 1))})", field="new",
                          hint=f"`{command('show', path.stem)}`")


def remade_notes(ws: "Workspace", notes: list["Note"]) -> tuple[list["Note"], dict[str, str]]:
    """For `new --force`: each note keyed as the vault's note it makes again, so that a note is
    never its own duplicate. That note is the one with the same file name (in any case, as
    Obsidian sees names), else the one of the same paper (arXiv id, then title); a note the
    vault does not have is returned as it is. Each re-keying is said in one line; the second
    value maps each re-keyed note's key to the key it was asked by (for `write_new_notes`)."""
    from papernotes.core.notices import inform
    from papernotes.notes.model.names import fold
    from papernotes.notes.vault import iter_note_paths, key_of

    files = {fold(key_of(p)): p for p in iter_note_paths(ws)}
    known = vault_papers(ws)
    out, sources = [], {}
    for note in notes:
        path, why = files.get(fold(note.key)), "the same name in another case"
        if path is None:
            for pid in sorted(paper_ids(note.meta)):  # arxiv before title
                if pid in known:
                    kind, value = pid.split(":", 1)
                    path, why = known[pid], _what(kind, value)
                    break
        if path is not None and key_of(path) != note.key:
            inform(f"'{note.key}' is made again as the note '{key_of(path)}' ({why})", path=path)
            sources[key_of(path)] = note.key
            note = note.model_copy(update={"key": key_of(path)})
        out.append(note)
    return out, sources
