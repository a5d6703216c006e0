"""The catalog card a note's paper is, identified as `import` identifies it
(`importer/identify.py`): by arXiv id, then DOI (arXiv's own DOIs too), then title or alias.
`new --bibtex`, `export --bibtex` and `catalog` ask it, so that they agree on which paper a
note is about."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papernotes.notes.model.schema import Metadata
    from papernotes.notes.sources.catalog import PaperCard


def card_of(meta: "Metadata") -> "PaperCard | None":
    import re

    from papernotes.notes.identity import arxiv_id, doi_of
    from papernotes.notes.importer.identify import match_title
    from papernotes.notes.sources.catalog import list_cards

    cards = list_cards()
    by_key = {c.key: c for c in cards}
    arxiv = arxiv_id(meta.arxiv)
    doi = doi_of(meta)
    if doi and (m := re.fullmatch(r"10\.48550/arxiv\.(.+?)(?:v\d+)?", doi)):
        arxiv = arxiv or m.group(1)
    for card in cards:
        if arxiv and arxiv_id(card.arxiv) == arxiv:
            return card
        if doi and card.doi and card.doi.lower() == doi:
            return card
    if arxiv or doi:
        return None  # a paper the catalog does not have, whatever its title says
    key = match_title(cards, meta.title) if meta.title else None
    return by_key.get(key) if key else None


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
