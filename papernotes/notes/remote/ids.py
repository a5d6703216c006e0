"""What `papernotes new ID` was given: an arXiv id or URL, a DOI or doi.org URL, an OpenReview
forum URL. Forms as papis (`papis.arxiv`, `papis.doi`) and pubs read them; arXiv's own DOIs
(`10.48550/arXiv.2002.05709`) are read as the arXiv id they name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"^(?:arxiv:)?({_NEW}|{_OLD})(v\d+)?$", re.IGNORECASE)
_ARXIV_URL = re.compile(rf"arxiv\.org/(?:abs|pdf|html)/({_NEW}|{_OLD})(v\d+)?(?:\.pdf)?/?$", re.I)
_DOI = re.compile(r"^(?:doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ARXIV_DOI = re.compile(rf"^10\.48550/arxiv\.({_NEW}|{_OLD})(v\d+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class PaperId:
    kind: str  # "arxiv", "doi", "openreview", "zotero"
    value: str  # arXiv id without version, DOI as given (case kept), forum id, citekey
    version: str = ""  # `v3` of a versioned arXiv id

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}{self.version}"


def parse_id(text: str) -> PaperId | None:
    """The identifier `text` is, or None (a catalog key, a typo: the caller decides)."""
    t = text.strip()
    if m := ARXIV_ID.match(t):
        return PaperId("arxiv", _arxiv_case(m.group(1)), (m.group(2) or "").lower())
    if m := _ARXIV_URL.search(t):
        return PaperId("arxiv", _arxiv_case(m.group(1)), (m.group(2) or "").lower())
    doi = None
    if m := (_DOI_URL.match(t) or _DOI.match(t)):
        doi = unquote(m.group(1)).rstrip(".,;")
    if doi is not None:
        if a := _ARXIV_DOI.match(doi):
            return PaperId("arxiv", _arxiv_case(a.group(1)), (a.group(2) or "").lower())
        return PaperId("doi", doi)
    url = urlparse(t)
    if url.netloc.endswith("openreview.net") and url.path in ("/forum", "/pdf"):
        forum = parse_qs(url.query).get("id", [""])[0]
        if re.fullmatch(r"[A-Za-z0-9_\-]{5,}", forum):
            return PaperId("openreview", forum)
    return None


def _arxiv_case(value: str) -> str:
    """`CS/0112017` -> `cs/0112017` (archive names are lower case, subject classes upper)."""
    if "/" not in value:
        return value
    archive, number = value.split("/", 1)
    head, _, sub = archive.partition(".")
    return f"{head.lower()}{'.' + sub.upper() if sub else ''}/{number}"
