"""The built-in paper catalog: one YAML card per paper in `papernotes/catalog/<key>.yaml`.

A card holds verified metadata, bilingual (zh/en) text written for the notes, a mermaid
flowchart of the method, its numbers (the paper's and the public reimplementations', each with
its protocol and source: `card_results.py`), and the keys of related cards. `card_to_note` turns a card into a `Note` in either language.

Loading is lazy: `load_card` reads one file; `list_cards` reads them all once and caches.
A malformed card raises `PapernotesError` naming `file:line: field`.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from papernotes.core.atomic import read_text_utf8
from papernotes.core.errors import PapernotesError
from papernotes.core.resources import catalog_dir
from papernotes.core.yaml_doc import line_of, parse_yaml, validation_error
from papernotes.notes.model.mermaid import parse_mermaid
from papernotes.notes.model.schema import Background, Lang, Metadata, Method, Note, RelatedWork, Term, check_key
from papernotes.notes.sources.card_results import Result


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Bilingual(_Frozen):
    """The same text in Chinese and English; both are required and non-empty."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def pick(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


class BilingualList(_Frozen):
    zh: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)

    def pick(self, lang: Lang) -> list[str]:
        return list(self.zh if lang == "zh" else self.en)


class CardTerm(_Frozen):
    """A prerequisite term and its explanation, in both languages."""

    term: Bilingual
    explanation: Bilingual


class CardRelatedWork(_Frozen):
    """Prior work the paper builds on or argues against; `card` links another card."""

    card: str | None = None  # a catalog key, rendered as [[key]]
    name: str = ""  # for work outside the catalog
    summary: Bilingual
    limitation: Bilingual

    @model_validator(mode="after")
    def _one_name(self) -> "CardRelatedWork":
        if bool(self.card) == bool(self.name):
            raise ValueError("give exactly one of `card` (a catalog key) or `name`")
        return self

    def heading(self) -> str:
        return f"[[{self.card}]]" if self.card else self.name


class PaperCard(_Frozen):
    """One paper of the catalog, as stored in `catalog/<key>.yaml`."""

    key: str
    title: str = Field(min_length=1)
    authors: list[str] = Field(min_length=1)
    institutions: list[str] = Field(default_factory=list)
    venue: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    arxiv: str | None = None
    paper_url: str = Field(min_length=1)
    code_url: str = ""  # empty: no official code exists
    tags: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    summary: Bilingual
    problem: Bilingual
    contributions: BilingualList
    core_idea: Bilingual
    diagram: str = Field(min_length=1)  # mermaid source, `graph TD` / `graph LR`
    results: list[Result] = Field(default_factory=list)  # the paper's numbers first, then the peers'
    related: list[str] = Field(default_factory=list)
    # Optional background section: terms, prior work with its limits, and the gap they leave.
    terms: list[CardTerm] = Field(default_factory=list)
    related_work: list[CardRelatedWork] = Field(default_factory=list)
    gap: Bilingual | None = None
    repro: str | None = None  # a spec in repro/ that reproduces this paper
    doi: str | None = None  # the publisher's DOI, when the paper has one
    openreview: str | None = None  # the OpenReview forum id, when the paper has one

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        return check_key(v)

    @field_validator("arxiv")
    @classmethod
    def _arxiv(cls, v: str | None) -> str | None:
        # The note's metadata model owns the arXiv-id rule; reuse it.
        return Metadata(arxiv=v).arxiv

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return Metadata(tags=v).tags

    def background(self, lang: Lang) -> Background:
        return Background(
            terms=[Term(term=t.term.pick(lang), explanation=t.explanation.pick(lang))
                   for t in self.terms],
            related_work=[RelatedWork(name=w.heading(), summary=w.summary.pick(lang),
                                      limitation=w.limitation.pick(lang))
                          for w in self.related_work],
            limitation=self.gap.pick(lang) if self.gap else "",
        )

    def paper_results(self) -> list[Result]:
        """The paper's own numbers, in the card's order."""
        return [r for r in self.results if r.by == "paper"]

    def metadata(self) -> Metadata:
        return Metadata(
            title=self.title, authors=list(self.authors), institutions=list(self.institutions),
            venue=self.venue, year=self.year, paper_url=self.paper_url, arxiv=self.arxiv,
            code_url=self.code_url, tags=list(self.tags), doi=self.doi,
        )


# --- reading cards -----------------------------------------------------------------------------

def _read_card(path: Path) -> PaperCard:
    text = read_text_utf8(path)
    data = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise PapernotesError("a paper card must be a YAML mapping", path=path, line=1)
    try:
        card = PaperCard.model_validate(dict(data))
    except ValidationError as exc:
        raise validation_error(exc, path, data) from None
    if card.key != path.stem:
        raise PapernotesError(f"key {card.key!r} does not match the file name {path.stem!r}",
                              path=path, line=line_of(data, ["key"]), field="key")
    # Check the flowchart now, so a broken diagram is reported against this file and line.
    parse_mermaid(card.diagram, path=path, first_line=_first_line_of(text, data, card.diagram))
    return card


def _first_line_of(text: str, data: Any, src: str) -> int:
    """File line of the diagram's first line (a block scalar starts below its key)."""
    start = line_of(data, ["diagram"]) or 1
    first = src.lstrip().splitlines()[0].strip()
    lines = text.splitlines()
    for i in range(start - 1, len(lines)):
        if lines[i].strip().endswith(first):
            return i + 1
    return start


@functools.lru_cache(maxsize=None)
def _load_cached(path: str, mtime_ns: int) -> PaperCard:
    return _read_card(Path(path))


def load_card_file(path: str | Path) -> PaperCard:
    """Read and validate one card file (cached while the file is unchanged)."""
    path = Path(path)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise PapernotesError("no such file", path=path) from None
    return _load_cached(str(path.resolve()), mtime)


def card_keys(directory: str | Path | None = None) -> list[str]:
    """Keys of all cards, sorted, without parsing any of them."""
    d = Path(directory) if directory is not None else catalog_dir()
    return sorted(p.stem for p in d.glob("*.yaml"))


def suggest(key: str, directory: str | Path | None = None) -> list[str]:
    """Card keys close to `key` (best first), for "did you mean" hints."""
    keys = card_keys(directory)
    return difflib.get_close_matches(key.strip().lower(), keys, n=3, cutoff=0.5)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def load_card(key: str, directory: str | Path | None = None) -> PaperCard:
    """The card `key` (case, spaces and dashes ignored: "MoCo v2" is `mocov2`).

    An unknown key raises `PapernotesError` naming the closest known keys.
    """
    d = Path(directory) if directory is not None else catalog_dir()
    norm = key.strip().lower()
    if norm and not any(c in norm for c in "/\\") and not norm.startswith("."):
        if (d / f"{norm}.yaml").is_file():
            return load_card_file(d / f"{norm}.yaml")
        for known in card_keys(d):
            if _squash(known) == _squash(norm):
                return load_card_file(d / f"{known}.yaml")
    near = suggest(norm, d) if norm else []
    hint = f"did you mean {', '.join(near)}?" if near else f"known: {', '.join(card_keys(d))}"
    raise PapernotesError(f"no paper card {key!r} in the catalog", field="key", hint=hint)


def list_cards(directory: str | Path | None = None) -> list[PaperCard]:
    """Every card, sorted by key (each file parsed once, then cached)."""
    d = Path(directory) if directory is not None else catalog_dir()
    return [load_card_file(d / f"{k}.yaml") for k in card_keys(d)]


# --- cards to notes ----------------------------------------------------------------------------

def card_to_note(card: PaperCard, lang: Lang = "zh") -> Note:
    """A fresh, unread note for `card`, its text in `lang`."""
    if lang not in ("zh", "en"):
        raise PapernotesError(f"unknown language {lang!r}", field="lang", hint="use zh or en")
    return Note(
        key=card.key,
        lang=lang,
        # the short key stays the file name; the full title is an alias, so Obsidian's link
        # suggestions and `papernotes show "A Simple Framework ..."` find the note by it
        aliases=list(card.aliases) + ([card.title] if card.title not in card.aliases else []),
        meta=card.metadata(),
        abstract=card.summary.pick(lang),
        problem=card.problem.pick(lang),
        contributions=card.contributions.pick(lang),
        background=card.background(lang),
        method=Method(core_idea=card.core_idea.pick(lang), diagram=parse_mermaid(card.diagram)),
        results=[r.as_note_result() for r in card.paper_results()],
        related=list(card.related),
        repro=card.repro,
    )
