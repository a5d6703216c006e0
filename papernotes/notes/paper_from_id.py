"""`papernotes new ID`: a note from an identifier (arXiv id or URL, DOI, Zotero citekey).

The sources' answers (`remote/lookup.py`) become the note's properties: title, every author,
year, published venue, arXiv id, DOI, PDF link and a `citekey` in Better BibTeX's default form
(`model/citekey.py`; the Zotero key when the paper came from Zotero). The abstract goes into a
folded callout (`format/abstract_callout.py`). A paper the catalog has (same arXiv id or DOI)
gets the catalog's note, the identifier's metadata filling only what the card leaves empty.
Once written, each answer is kept under `.papernotes/sources/` with the values papernotes
wrote (`remote/store.py`), which `papernotes sync` refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.core.errors import PapernotesError
from papernotes.notes.remote.ids import PaperId

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace
    from papernotes.notes.model.schema import Note
    from papernotes.notes.remote.record import Merged

# Metadata field -> the property it is written as (paper_url is the table's link, no property)
FILLED = {"title": "title", "authors": "authors", "year": "year", "venue": "venue",
          "arxiv": "arxiv", "doi": "doi", "citekey": "citekey", "pdf_url": "pdf",
          "code_url": "code"}


@dataclass(frozen=True)
class FromId:
    pid: PaperId
    note: "Note"
    merged: "Merged"
    origin: dict[str, str]  # Metadata field -> where its value came from
    card_key: str | None = None


def vault_citekeys(ws: "Workspace") -> dict[str, set[str]]:
    """Each citekey of the vault's notes -> the ids of its paper (`arxiv:...`, `doi:...`,
    `key:<file name>`)."""
    from papernotes.core.atomic import read_text_utf8
    from papernotes.notes.format.frontmatter import split_frontmatter
    from papernotes.notes.identity import arxiv_id
    from papernotes.notes.note_files import iter_note_paths, key_of

    keys: dict[str, set[str]] = {}
    for path in iter_note_paths(ws):
        try:
            fm = split_frontmatter(read_text_utf8(path), path=path)
        except PapernotesError:
            continue
        values = fm.values if fm is not None else {}
        if values.get("citekey"):
            ids = keys.setdefault(str(values["citekey"]), set())
            ids.add(f"key:{key_of(path)}")
            if values.get("arxiv"):
                ids.add(f"arxiv:{arxiv_id(str(values['arxiv']))}")
            if values.get("doi"):
                ids.add(f"doi:{str(values['doi']).lower()}")
    return keys


def paper_citekey(ws: "Workspace", props: dict, key: str | None) -> str:
    """The paper's citekey: the one a note of the same paper (or name) has, else a new one in
    Better BibTeX's form that no other note has."""
    from papernotes.notes.identity import arxiv_id
    from papernotes.notes.model.citekey import bbt_citekey, unique

    ours = {f"arxiv:{arxiv_id(props['arxiv'])}" if props.get("arxiv") else "",
            f"doi:{str(props['doi']).lower()}" if props.get("doi") else "",
            f"key:{key}" if key else ""} - {""}
    taken = vault_citekeys(ws)
    for citekey, ids in taken.items():
        if ids & ours:
            return citekey
    return unique(bbt_citekey(props.get("authors") or [], props.get("title", ""), props.get("year")),
                  set(taken))


def _card_for(pid: PaperId, merged: "Merged"):
    from papernotes.notes.paper_card import card_key_by_id
    from papernotes.notes.sources.catalog import load_card

    arxiv = pid.value if pid.kind == "arxiv" else merged.props.get("arxiv")
    doi = pid.value if pid.kind == "doi" else merged.props.get("doi")
    key = ((card_key_by_id("arxiv", arxiv) if arxiv else None)
           or (card_key_by_id("doi", doi) if doi else None)
           or (card_key_by_id("openreview", pid.value) if pid.kind == "openreview" else None))
    return load_card(key) if key else None


def note_for_id(ws: "Workspace", pid: PaperId, *, lang: str, key: str | None = None,
                fetch: bool = False) -> FromId:
    """The note `new ID` makes (nothing written)."""
    from pydantic import ValidationError

    from papernotes.notes.model.schema import Metadata, Note
    from papernotes.notes.remote.lookup import lookup
    from papernotes.notes.sources.catalog import card_to_note
    from papernotes.notes.vault import key_from_title

    merged = lookup(ws.root, pid, ws.config.sources, fetch=True if fetch else None)
    props, origin = dict(merged.props), dict(merged.origin)
    if props.get("withdrawn"):
        from papernotes.core.notices import warn

        warn(f"arXiv says {pid.value} was withdrawn", field="arXiv")
    props.pop("withdrawn", None)
    if not props.get("citekey"):
        props["citekey"] = paper_citekey(ws, props, key)
        origin["citekey"] = "Better BibTeX's form"
    card = _card_for(pid, merged)
    try:
        if card is not None:
            note = card_to_note(card, lang)
            empty = {f: v for f, v in props.items() if f in Metadata.model_fields
                     and getattr(note.meta, f) in (None, "", [])}
            origin = {f: ("catalog card" if f not in empty else origin.get(f, "")) for f in FILLED
                      if getattr(note.meta.model_copy(update=empty), f) not in (None, "", [])}
            note = note.model_copy(update={"meta": Metadata.model_validate(
                {**note.meta.model_dump(), **empty}), "key": key or note.key})
        else:
            title = props.get("title", "")
            name = key or key_from_title(title)
            meta = Metadata.model_validate({f: v for f, v in props.items() if f in Metadata.model_fields})
            note = Note(key=name, lang=lang, aliases=[title] if title and name != title else [],
                        meta=meta)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(map(str, err["loc"])) or "new"
        msg = err["msg"].removeprefix("Value error, ")
        if where == "key":
            raise PapernotesError(msg, field="key", hint="choose another --key") from None
        raise PapernotesError(f"the sources' answer does not fit the note: {msg}", field=where,
                              hint="use --title for a blank note") from None
    return FromId(pid, note, merged, origin, card.key if card is not None else None)


def source_label(found: FromId) -> str:
    src = found.merged.abstract_from
    return f"{src} {found.pid.value}" if src else str(found.pid)


def dry_run_lines(found: FromId) -> list[str]:
    """The note's properties and where each came from (`new ID --dry-run`)."""
    from papernotes.notes.format.properties import note_properties

    props = note_properties(found.note)
    stamps = {a.source: (a.fetched[:10], a.cached) for a in found.merged.answers}
    lines = [f"note: notes/{found.note.key}.md" + (f" (the catalog's '{found.card_key}')"
                                                   if found.card_key else "")]
    for field, prop in FILLED.items():
        value = props.get(prop)
        if value in (None, "", []):
            continue
        src = found.origin.get(field, "")
        when = stamps.get(src)
        if when:
            src += f", {'stored' if when[1] else 'fetched'}" + (f" {when[0]}" if when[0] else "")
        shown = "; ".join(value) if isinstance(value, list) else str(value)
        lines.append(f"{prop}: {shown}  [{src}]")
    if found.merged.abstract:
        lines.append(f"abstract: {len(found.merged.abstract.split())} words  "
                     f"[{found.merged.abstract_from}] (a folded callout in the abstract section)")
    return lines


def finish_written(ws: "Workspace", found: FromId, path: Path) -> None:
    """After the note is written: the abstract callout into it, the answers and what was
    written kept under `.papernotes/sources/`."""
    from papernotes.core.atomic import atomic_write_text, read_text_utf8
    from papernotes.notes.format.abstract_callout import with_abstract
    from papernotes.notes.format.frontmatter import plain, split_frontmatter
    from papernotes.notes.remote.store import save_answer, save_record

    text = read_text_utf8(path)
    new = with_abstract(text, found.merged.abstract, source_label(found), found.note.lang)
    if new != text:
        atomic_write_text(path, new, overwrite=True)
    fm = split_frontmatter(new, path=path)
    values = fm.values if fm is not None else {}
    written = {prop: plain(values.get(prop)) for field, prop in FILLED.items()
               if field in found.origin and found.origin[field] != "catalog card"}
    ids = {k: v for k, v in (("arxiv", found.note.meta.arxiv), ("doi", found.note.meta.doi),
                             (found.pid.kind, found.pid.value)) if v}
    try:
        for answer in found.merged.answers:
            if not answer.cached:
                save_answer(ws.root, answer)
        save_record(ws.root, path.stem, ids, [a.raw_name for a in found.merged.answers], written)
    except (OSError, PapernotesError) as exc:  # the note is written; only its provenance is not
        from papernotes.core.notices import warn

        warn(f"the sources' answers were not kept: {getattr(exc, 'message', exc)}", path=path,
             field="sources", hint="`papernotes sync --fetch` asks the sources again")
