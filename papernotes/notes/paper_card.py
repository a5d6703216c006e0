"""The catalog card a note's paper is, identified as `import` identifies it
(`importer/identify.py`): by arXiv id, then DOI (arXiv's own DOIs too), then title or alias.
`new --bibtex`, `export --bibtex` and `catalog` ask it, so that they agree on which paper a
note is about."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papernotes.notes.model.schema import Metadata
    from papernotes.notes.sources.catalog import PaperCard


_ID_LINE = re.compile(r"^(arxiv|doi|openreview):[ \t]*[\"']?([^\"'\s#]+)", re.M)


@functools.lru_cache(maxsize=4)
def _index(folder: str, stamp: tuple) -> dict[str, str]:
    from pathlib import Path

    from papernotes.notes.identity import arxiv_id

    out: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        for kind, value in _ID_LINE.findall(path.read_text(encoding="utf-8")):
            value = arxiv_id(value) if kind == "arxiv" else value.lower() if kind == "doi" else value
            out.setdefault(f"{kind}:{value}", path.stem)
    return out


def card_key_by_id(kind: str, value: str) -> str | None:
    """The catalog card with this arXiv id, DOI or OpenReview forum, read from the cards' top
    lines only (parsing all cards costs a second; this is on `new ID`'s path)."""
    from papernotes.core.resources import catalog_dir
    from papernotes.notes.identity import arxiv_id

    folder = catalog_dir()
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yaml")))
    value = arxiv_id(value) if kind == "arxiv" else value.lower() if kind == "doi" else value
    return _index(str(folder), stamp).get(f"{kind}:{value}")


def card_of(meta: "Metadata") -> "PaperCard | None":
    from papernotes.notes.identity import arxiv_id, doi_of
    from papernotes.notes.importer.identify import match_title
    from papernotes.notes.sources.catalog import list_cards, load_card

    arxiv = arxiv_id(meta.arxiv)
    doi = doi_of(meta)
    if doi and (m := re.fullmatch(r"10\.48550/arxiv\.(.+?)(?:v\d+)?", doi)):
        arxiv = arxiv or m.group(1)
    key = (card_key_by_id("arxiv", arxiv) if arxiv else None) or (
        card_key_by_id("doi", doi) if doi else None)
    if key is not None:
        return load_card(key)
    if arxiv or doi:
        return None  # a paper the catalog does not have, whatever its title says
    cards = list_cards()
    key = match_title(cards, meta.title) if meta.title else None
    return next((c for c in cards if c.key == key), None) if key else None


def is_title_of(title: str, card: "PaperCard") -> bool:
    """Whether `title` is the card's paper title (letters compared, case and punctuation
    ignored, a near spelling accepted), not a note's own heading (`BYOL 阅读笔记`)."""
    import difflib

    from papernotes.notes.importer.identify import norm_title

    a, b = norm_title(title), norm_title(card.title)
    return bool(a) and (a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.9)


def with_card(meta: "Metadata", card: "PaperCard") -> "Metadata":
    """`meta` as the card's paper: its own title when that is the paper's, else the card's
    (a note's heading is no paper title), and every field `meta` leaves empty from the card."""
    base = card.metadata()
    empty = {name: getattr(base, name) for name in type(meta).model_fields
             if getattr(meta, name) in (None, "", []) and getattr(base, name) not in (None, "", [])}
    title = meta.title if is_title_of(meta.title, card) else card.title
    return meta.model_copy(update={**empty, "title": title})
