"""Which paper an imported note is about, from what the note holds, in order of trust:
an arXiv id or URL (or its DataCite DOI 10.48550/arXiv.ID), a DOI, an OpenReview, CVF or ACL
Anthology link, a BibTeX block, then a title (front matter, first heading, the metadata table,
the file name) that matches a catalog card's title or alias (normalised; fuzzy for titles),
and last the one catalog paper the note names by its alias, at least twice.

Every piece of evidence names its line, so `import --dry-run` can say
`arXiv 2002.05709 in line 9 -> catalog simclr`. Evidence that names no card still tells the
note's arXiv id, venue and year (a CVF link says CVPR 2020).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from papernotes.notes.sources.catalog import PaperCard, list_cards

_ARXIV = re.compile(r"(?:arxiv\.org/(?:abs|pdf|html)/|\barxiv\s*[:：]?\s*|10\.48550/arxiv\.)"
                    r"(\d{4}\.\d{4,5})(?:v\d+)?", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>）)\]]+)")
_OPENREVIEW = re.compile(r"openreview\.net/(?:forum|pdf)\?id=([\w-]+)", re.I)
_CVF = re.compile(r"openaccess\.thecvf\.com/content[_/]([A-Za-z]+)_?(\d{4})[^/\s]*/"
                  r"(?:papers|html)/([^\s/]+?)_[A-Za-z]+_\d{4}_paper\.(?:pdf|html)", re.I)
_ACL = re.compile(r"(?:aclanthology\.org|aclweb\.org/anthology)/([A-Z]\d{2}-\d{4}|"
                  r"\d{4}\.[a-z]+-[\w]+\.\d+)", re.I)
_BIBTEX = re.compile(r"^[ \t]*@(inproceedings|article|misc|conference|techreport|online)"
                     r"\s*\{", re.I | re.M)
_ACL_VENUES = {"P": "ACL", "N": "NAACL", "D": "EMNLP", "E": "EACL", "C": "COLING", "Q": "TACL",
               "J": "CL", "K": "CoNLL", "S": "SemEval", "W": "ACL Workshops"}
TRUST = ("arXiv", "DOI", "OpenReview", "CVF", "ACL", "BibTeX", "title", "mentions")
_CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1|`[^`\n]+`", re.S | re.M)
_WIKILINK = re.compile(r"!?\[\[[^\]\n]*\]\]")  # names another note or a file, not this paper


@dataclass(frozen=True)
class Evidence:
    kind: str  # one of TRUST
    value: str  # the id, link or title as found
    line: int  # 1-based line of the file
    card: str | None = None  # the catalog card it names
    facts: dict = field(default_factory=dict)  # what it says: arxiv, venue, year, title, authors

    def describe(self) -> str:
        target = f"catalog {self.card}" if self.card else "not in the catalog"
        where = "in the file name" if self.line == 0 else f"in line {self.line}"
        return f"{self.kind} {self.value} {where} → {target}"


@dataclass(frozen=True)
class Identification:
    card: PaperCard | None
    evidence: Evidence | None  # what identified the card (None: nothing did)
    found: tuple[Evidence, ...] = ()  # every piece of evidence, most trusted first

    def describe(self) -> str:
        if self.evidence is not None:
            return self.evidence.describe()
        if any(e.card for e in self.found):
            return "no single paper: " + "; ".join(e.describe() for e in self.found[:3])
        if self.found:
            return self.found[0].describe()
        return "no paper identified"


def norm_title(text: str) -> str:
    """Letters and digits only, case-folded (`A Simple Framework...` -> `asimpleframework...`)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN").casefold()


def _by_arxiv(cards: list[PaperCard], arxiv: str) -> str | None:
    return next((c.key for c in cards if c.arxiv == arxiv), None)


def _by_doi(cards: list[PaperCard], doi: str) -> str | None:
    m = re.fullmatch(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})(?:v\d+)?", doi, re.I)
    if m:
        return _by_arxiv(cards, m.group(1))
    return next((c.key for c in cards if c.doi and c.doi.lower() == doi.lower()), None)


def match_title(cards: list[PaperCard], title: str) -> str | None:
    """The card whose title this is (fuzzy: ratio >= 0.9, or the whole title inside it), or
    whose alias it names as a word (`SimCLR 论文笔记`); None when none or several do."""
    t = norm_title(title)
    if len(t) < 3:
        return None
    for c in cards:
        ct = norm_title(c.title)
        if ct == t or (len(ct) > 12 and ct in t) or (len(t) >= 15 and ct.startswith(t)) or \
                (len(t) > 20 and difflib.SequenceMatcher(None, ct, t).ratio() >= 0.9):
            return c.key
    words = " " + re.sub(r"[^0-9a-z]+", " ", unicodedata.normalize("NFKC", title).casefold()) + " "
    hits: dict[str, str] = {}  # card -> the longest of its aliases the title names
    for c in cards:
        for alias in [c.key, *c.aliases]:
            a = re.sub(r"[^0-9a-z]+", " ", alias.casefold()).strip()
            if len(a) >= 3 and f" {a} " in words and len(a) > len(hits.get(c.key, "")):
                hits[c.key] = a
    if not hits:
        return None
    best = max(hits, key=lambda k: len(hits[k]))
    # `MoCo` inside `MoCo v2` is the same mention; two papers side by side are no match
    others = [k for k in hits if k != best and hits[k] not in hits[best]]
    return None if others else best


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _bibtex(text: str, cards: list[PaperCard]) -> list[Evidence]:
    from papernotes.notes.sources.bibtex import metadata_from_bibtex

    out = []
    for m in _BIBTEX.finditer(text):
        end = text.find("\n```", m.end())
        block = text[m.start(): end if end >= 0 else len(text)]
        for meta in metadata_from_bibtex(block):
            card = (_by_arxiv(cards, meta.arxiv) if meta.arxiv else None) or \
                match_title(cards, meta.title)
            facts = {k: v for k, v in (("title", meta.title), ("authors", meta.authors),
                                       ("year", meta.year), ("venue", meta.venue),
                                       ("arxiv", meta.arxiv)) if v}
            out.append(Evidence("BibTeX", meta.title[:60] or "entry", _line(text, m.start()),
                                card, facts))
    return out


def gather(text: str, titles: list[tuple[str, int]], cards: list[PaperCard] | None = None
           ) -> list[Evidence]:
    """Every piece of evidence in `text`, most trusted first (then by line)."""
    cards = list_cards() if cards is None else cards
    out: list[Evidence] = []
    for m in _ARXIV.finditer(text):
        aid = m.group(1)
        out.append(Evidence("arXiv", aid, _line(text, m.start()), _by_arxiv(cards, aid),
                            {"arxiv": aid}))
    for m in _DOI.finditer(text):
        doi = m.group(1).rstrip(".,;:")
        if doi.lower().startswith("10.48550/arxiv."):
            continue  # counted as arXiv above
        acl = re.fullmatch(r"10\.18653/v1/(.+)", doi, re.I)
        facts = _acl_facts(acl.group(1)) if acl else {}
        out.append(Evidence("DOI", doi, _line(text, m.start()), _by_doi(cards, doi), facts))
    for m in _OPENREVIEW.finditer(text):
        card = next((c.key for c in cards if c.openreview == m.group(1)), None)
        out.append(Evidence("OpenReview", m.group(1), _line(text, m.start()), card))
    for m in _CVF.finditer(text):
        words = m.group(3).split("_")[1:]  # the first is the first author's surname
        title = " ".join(words)
        out.append(Evidence("CVF", f"{m.group(1).upper()} {m.group(2)}", _line(text, m.start()),
                            match_title(cards, title),
                            {"venue": m.group(1).upper(), "year": int(m.group(2))}))
    for m in _ACL.finditer(text):
        acl_id = m.group(1)
        card = _by_doi(cards, f"10.18653/v1/{acl_id}")
        out.append(Evidence("ACL", acl_id, _line(text, m.start()), card, _acl_facts(acl_id)))
    out += _bibtex(text, cards)
    for title, line in titles:
        card = match_title(cards, title)
        if card:
            out.append(Evidence("title", f"'{title}'", line, card))
    out += _mentions(text, cards)
    out.sort(key=lambda e: (TRUST.index(e.kind), e.line or 10 ** 9))  # the file name last
    return out


def _mentions(text: str, cards: list[PaperCard]) -> list[Evidence]:
    """The one catalog paper the note names by its alias, at least twice, outside code (the
    user's template filled for SimCLR says `SimCLR` throughout and no other paper); none
    when it names several (an overview). A wikilink or embed (`[[论文/DINO 自蒸馏|DINO]]`)
    names another note, so an index of links is about no paper."""
    prose = _CODE.sub(lambda m: " " * len(m.group()), text)
    prose = _WIKILINK.sub(lambda m: " " * len(m.group()), prose)
    seen: dict[str, tuple[str, int, int]] = {}  # card -> (alias, count, first offset)
    for c in cards:
        for alias in c.aliases:
            if len(alias) < 3:
                continue
            hits = [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])",
                                                   prose)]
            if hits and len(hits) > seen.get(c.key, ("", 0, 0))[1]:
                seen[c.key] = (alias, len(hits), hits[0])
    if len(seen) != 1:
        return []
    key, (alias, n, first) = next(iter(seen.items()))
    return [Evidence("mentions", f"'{alias}' x{n}", _line(text, first), key)] if n >= 2 else []


def _acl_facts(acl_id: str) -> dict:
    m = re.fullmatch(r"([A-Z])(\d{2})-\d{4}", acl_id, re.I)
    if m:
        return {"venue": _ACL_VENUES.get(m.group(1).upper(), "ACL"), "year": 2000 + int(m.group(2))}
    m = re.fullmatch(r"(\d{4})\.([a-z]+)-.*", acl_id, re.I)
    return {"venue": m.group(2).upper(), "year": int(m.group(1))} if m else {}


HEAD_LINES = 15  # the note's own paper is named near its top; later ones are cited work


def identify(text: str, titles: list[tuple[str, int]],
             cards: list[PaperCard] | None = None) -> Identification:
    """The card the note is about: the most trusted evidence that names a card. When that
    kind of evidence names several cards (a note citing related work, an overview), the one
    its title names wins, else the only one named in its first HEAD_LINES lines; otherwise
    the note is about no single paper."""
    cards = list_cards() if cards is None else cards
    found = gather(text, titles, cards)
    named = [e for e in found if e.card]
    by_title = {e.card for e in named if e.kind == "title"}
    for kind in TRUST:
        same = [e for e in named if e.kind == kind]
        if not same:
            continue
        if len({e.card for e in same}) > 1:
            head = {e.card for e in same if e.line <= HEAD_LINES}
            pick = next((e for e in same if e.card in by_title), None) or \
                (next(e for e in same if e.card in head) if len(head) == 1 else None)
            if pick is None:
                continue  # several papers named alike: less trusted evidence decides
        else:
            pick = same[0]
        card = next(c for c in cards if c.key == pick.card)
        return Identification(card, pick, tuple(found))
    return Identification(None, None, tuple(found))
