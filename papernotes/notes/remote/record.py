"""One source's answer as note properties, and several answers made one.

A `Fetched` is what one service said about a paper: Metadata field -> value, the abstract, and
the raw answer (kept as provenance by `store.py`). `merge` takes each field from the source the
field is best known by: the published venue and year from Semantic Scholar or the DOI's record
before arXiv's `journal_ref`, the title, authors and abstract from arXiv first (the authors' own
Unicode names), and from Zotero before anything else (the user's library).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ARXIV, DOI, S2, ZOTERO, OPENREVIEW = "arXiv", "doi.org", "Semantic Scholar", "Zotero", "OpenReview"

_ORDER = {  # field -> sources in the order they are believed
    "venue": (ZOTERO, OPENREVIEW, S2, DOI, ARXIV),
    "year": (ZOTERO, OPENREVIEW, S2, DOI, ARXIV),
    "doi": (ZOTERO, ARXIV, DOI, S2),
}
_DEFAULT = (ZOTERO, ARXIV, OPENREVIEW, DOI, S2)
FIELDS = ("title", "authors", "year", "venue", "arxiv", "doi", "paper_url", "pdf_url", "code_url",
          "citekey")


@dataclass(frozen=True)
class Fetched:
    source: str  # ARXIV, DOI, S2, ZOTERO
    props: dict[str, Any]  # Metadata field -> value; only what the source gave
    abstract: str = ""
    raw: bytes = b""  # the answer as it came, for `.papernotes/sources/`
    raw_name: str = ""  # its file there: `arxiv/2002.05709.xml`
    fetched: str = ""  # ISO date-time of the call (or of the stored answer)
    cached: bool = False  # read from `.papernotes/sources/`, not asked now


@dataclass(frozen=True)
class Merged:
    props: dict[str, Any] = field(default_factory=dict)  # Metadata field -> value
    origin: dict[str, str] = field(default_factory=dict)  # Metadata field -> source
    abstract: str = ""
    abstract_from: str = ""
    answers: tuple[Fetched, ...] = ()


def _given(value: Any) -> bool:
    return value not in (None, "", [], ())


def merge(answers: list[Fetched]) -> Merged:
    """Each field from the first source (in the field's order) that gives it."""
    props: dict[str, Any] = {}
    origin: dict[str, str] = {}
    by_source = {a.source: a for a in answers}
    for name in FIELDS:
        for source in _ORDER.get(name, _DEFAULT):
            a = by_source.get(source)
            if a is not None and _given(a.props.get(name)):
                props[name], origin[name] = a.props[name], source
                break
    abstract, abstract_from = "", ""
    for source in _DEFAULT:
        a = by_source.get(source)
        if a is not None and a.abstract.strip():
            abstract, abstract_from = a.abstract.strip(), source
            break
    return Merged(props, origin, abstract, abstract_from, tuple(answers))
