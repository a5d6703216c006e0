"""What `papernotes new` makes: notes from a catalog card, a bare title, or a BibTeX file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.core.errors import PapernotesError

if TYPE_CHECKING:
    from papernotes.notes.model.schema import Note

LANGS = ("zh", "en")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise PapernotesError(f"unknown language {lang!r}", field="lang", hint="use zh or en")
    return lang


def note_from_catalog(key: str, lang: str) -> "Note":
    """The note for catalog card `key`; an unknown key names the nearest catalog keys."""
    from papernotes.notes.model.schema import check_key
    from papernotes.notes.sources.catalog import card_to_note, load_card, suggest

    try:
        check_key(key)
    except ValueError as exc:
        raise PapernotesError(str(exc), field="key") from None
    card = load_card(key)
    if card is None:  # a catalog that returns None instead of raising
        near = suggest(key)
        hint = ("did you mean " + ", ".join(near) + "?") if near else "or use --title for a blank note"
        raise PapernotesError(f"no paper '{key}' in the catalog", field="key", hint=hint)
    return card_to_note(card, lang)


def blank_note(title: str, key: str | None, lang: str) -> "Note":
    from pydantic import ValidationError

    from papernotes.notes.model.schema import Metadata, Note
    from papernotes.notes.vault import key_from_title

    title = title.strip()
    if not title:
        raise PapernotesError("must not be empty", field="title")
    try:
        name = key or key_from_title(title)
        # a file name that had to differ from the title keeps the title as an alias, so
        # Obsidian's link suggestions (and every papernotes command) still find it by it
        aliases = [title] if name != title else []
        return Note(key=name, lang=lang, aliases=aliases, meta=Metadata(title=title))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise PapernotesError(err["msg"].removeprefix("Value error, "),
                              field=".".join(map(str, err["loc"])) or "key") from None


def notes_to_create(*, key: str | None, title: str | None, bibtex: Path | None,
                    note_key: str | None, lang: str) -> list["Note"]:
    """The notes `papernotes new` should write, from exactly one source."""
    check_lang(lang)
    sources = [s for s in (key, title, bibtex) if s is not None]
    if len(sources) != 1:
        raise PapernotesError("give exactly one of KEY, --title or --bibtex", field="new",
                              hint="e.g. `papernotes new simclr`")
    if key is not None:
        if note_key is not None:
            raise PapernotesError("--key goes with --title or --bibtex", field="key")
        return [note_from_catalog(key, lang)]
    if title is not None:
        return [blank_note(title, note_key, lang)]
    from papernotes.notes.sources.bibtex import notes_from_bibtex

    notes = notes_from_bibtex(bibtex, key=note_key)
    if not notes:
        raise PapernotesError("no entries" + (f" with citekey {note_key!r}" if note_key else ""),
                          path=bibtex, field="bibtex")
    return [_linked(n.model_copy(update={"lang": lang})) for n in notes]


def _linked(note: "Note") -> "Note":
    """A note from BibTeX about a catalog paper (same arXiv id, DOI or title, as `import`
    finds it) gets the card's note: its text, diagram, numbers and `repro:`, with the entry's
    metadata (its citekey included) over the card's. The paper link is the entry's URL, else
    its DOI, else its arXiv page."""
    from papernotes.notes.paper_card import card_of
    from papernotes.notes.sources.catalog import card_to_note

    meta = note.meta
    if not meta.paper_url and meta.arxiv:
        meta = meta.model_copy(update={"paper_url": f"https://arxiv.org/abs/{meta.arxiv}"})
    card = card_of(meta)
    if card is None:
        return note.model_copy(update={"meta": meta})
    base = card_to_note(card, note.lang)
    given = {name: getattr(meta, name) for name in type(meta).model_fields
             if getattr(meta, name) not in (None, "", [])}
    return base.model_copy(update={"key": note.key, "meta": base.meta.model_copy(update=given),
                                   "aliases": base.aliases + ([card.key] if card.key != note.key
                                                              and card.key not in base.aliases else [])})
