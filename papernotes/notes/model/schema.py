"""The note model: the user's paper-note template, section by section, in its order.

    header       date, reading status, rating
    1 metadata   title, authors, institutions, venue, year, links, arXiv id, tags
    2 abstract   abstract in the reader's words, core problem, contributions
    3 background terms, related work with limitations
    4 method     core idea, mermaid diagram, free text
    then         experiments, strengths/weaknesses, thoughts, idea-patching log, repro link,
                 and the user's own extra sections (kept verbatim, in place)

Models are immutable; change one with `model_copy(update=...)`.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from papernotes.notes.model.ideas_model import IdeaLog
from papernotes.notes.model.mermaid import MermaidDiagram
from papernotes.notes.model.names import check_key
from papernotes.notes.model.tags import merge_tags

Lang = Literal["zh", "en"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ReadingStatus(str, Enum):
    unread = "unread"
    skimmed = "skimmed"
    reading = "reading"
    read_carefully = "read-carefully"

    def label(self, lang: Lang = "zh") -> str:
        """How the template shows it: an emoji and a word (`🟢 已精读`)."""
        return STATUS_LABELS[lang][self]


STATUS_LABELS: dict[str, dict[ReadingStatus, str]] = {
    "zh": {
        ReadingStatus.unread: "⚪ 未读",
        ReadingStatus.skimmed: "🟡 已略读",
        ReadingStatus.reading: "🔵 在读",
        ReadingStatus.read_carefully: "🟢 已精读",
    },
    "en": {
        ReadingStatus.unread: "⚪ Unread",
        ReadingStatus.skimmed: "🟡 Skimmed",
        ReadingStatus.reading: "🔵 Reading",
        ReadingStatus.read_carefully: "🟢 Read carefully",
    },
}

_ARXIV = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


class Metadata(Frozen):
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    institutions: list[str] = Field(default_factory=list)
    venue: str = ""
    year: int | None = Field(default=None, ge=1900, le=2100)
    paper_url: str = ""
    arxiv: str | None = None
    code_url: str = ""
    tags: list[str] = Field(default_factory=list)
    doi: str | None = None  # `10.1109/CVPR42600.2020.00975`, without `https://doi.org/`
    citekey: str | None = None  # the user's BibTeX key (BibTeX import, Zotero, `new ID`)
    pdf_url: str = ""

    @field_validator("doi", "citekey", mode="before")
    @classmethod
    def _text_id(cls, v: object, info) -> str | None:
        if v in (None, ""):
            return None
        v = str(v).strip()
        if info.field_name == "doi":
            for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
                if v.lower().startswith(prefix):
                    v = v[len(prefix):]
        return v or None

    @field_validator("arxiv")
    @classmethod
    def _arxiv(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        v = v.removeprefix("arXiv:").removeprefix("arxiv:")
        if not _ARXIV.match(v):
            raise ValueError(f"not an arXiv id: {v!r} (expected e.g. 2002.05709)")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return merge_tags(v)  # the user's case; one of `SimCLR`/`simclr`, as Obsidian sees them


class Term(Frozen):
    term: str
    explanation: str = ""


class RelatedWork(Frozen):
    name: str  # may be a wikilink: "[[moco]]"
    summary: str = ""
    limitation: str = ""


class Background(Frozen):
    terms: list[Term] = Field(default_factory=list)
    related_work: list[RelatedWork] = Field(default_factory=list)
    limitation: str = ""  # the overall gap that motivates the paper


class Method(Frozen):
    core_idea: str = ""
    diagram: MermaidDiagram | None = None
    text: str = ""  # free text: formulas, details


class Result(Frozen):
    """One headline number of the paper, as data. A row of the user's table keeps its value
    cell as written (`text`: `70.1±0.2`, `~70`, `N/A`); `value` and `spread` are the number it
    states (`model/cell_number.py`), None where it states none."""

    dataset: str = ""
    protocol: str = ""  # e.g. "linear eval", "fine-tune 1% labels", "kNN"
    backbone: str = ""
    metric: str = ""  # e.g. "top-1"
    value: float | None = None
    spread: float | None = None  # the `± 0.2` of `70.1 ± 0.2`
    text: str = ""  # the value cell as the user wrote it ("" when it is just `value`)
    source: str = ""  # where in the paper: "Table 6", "Appendix B.9"
    note: str = ""

    @property
    def shown(self) -> str:
        """The value cell as the note shows it: the user's text, else the number."""
        from papernotes.notes.model.cell_number import show_number

        return self.text or show_number(self.value)


class Note(Frozen):
    """One paper note. `key` is its file name in `notes/` without `.md` (`simclr`, `对比学习`,
    `Attention Is All You Need`): any name Obsidian accepts (`model/names.py`)."""

    key: str
    lang: Lang = "zh"
    date: dt.date = Field(default_factory=dt.date.today)
    status: ReadingStatus = ReadingStatus.unread
    rating: int | None = Field(default=None, ge=1, le=5)
    aliases: list[str] = Field(default_factory=list)
    meta: Metadata = Field(default_factory=Metadata)
    abstract: str = ""
    problem: str = ""
    contributions: list[str] = Field(default_factory=list)
    background: Background = Field(default_factory=Background)
    method: Method = Field(default_factory=Method)
    results: list[Result] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    weaknesses: list[str] = Field(default_factory=list)
    thoughts: str = ""
    ideas: IdeaLog = Field(default_factory=IdeaLog)
    repro: str | None = None  # name of a spec in repro/, e.g. "simclr"
    related: list[str] = Field(default_factory=list)  # keys of linked notes ("moco")

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, v: str) -> str:
        return check_key(v)  # before the model strips whitespace: the file name as it is

    @field_validator("repro")
    @classmethod
    def _repro(cls, v: str | None) -> str | None:
        return None if v in (None, "") else check_key(v)

    def stars(self) -> str:
        return "⭐" * (self.rating or 0)
