"""A catalog card's numbers: the paper's own and the public reimplementations', each with the
protocol that produced it and the place it was read.

    Result     one number: who reported it (`by`), metric, value, `Protocol`, `Reference`
    Protocol   data, backbone, pretraining epochs and batch, the evaluation (linear / online
               linear / kNN / fine-tune / other, its epochs, labels, k), and what else differs
               materially (CIFAR stem, image size, views / multi-crop, free-text notes)
    Reference  where the number stands: a URL or `owner/repo:path@commit`, the line or table in
               it, the date it was read, and the files the protocol details come from

A detail the source does not state is written `unknown` (None here), never guessed: the
ledger (`papernotes.notes.ledger`) then lists it as unstated instead of as a difference.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from papernotes.notes.model.schema import Result as NoteResult

Reporter = Literal["paper", "official", "solo-learn", "lightly", "mmpretrain", "mmselfsup", "vissl"]
EvalKind = Literal["linear", "online-linear", "knn", "fine-tune", "other"]
Stem = Literal["cifar", "imagenet"]  # cifar: 3x3 stride-1 first conv, no max-pool

# A source: an http(s) URL, or a file of a public repository at the commit that was read.
URL = re.compile(r"https?://[^\s#]+(#\S+)?")
REPO_FILE = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+:[^\s@#:]+@[0-9a-f]{7,40}(#\S+)?")

EVAL_LABELS = {"linear": "linear", "online-linear": "online linear", "knn": "kNN",
               "fine-tune": "fine-tune", "other": "other"}


def _unknown(v: Any) -> bool:
    return isinstance(v, str) and v.strip().lower() == "unknown"


def _known_int(v: Any) -> Any:
    """A positive whole number, or `unknown` (None) when the source does not say."""
    if _unknown(v):
        return None
    if v is None:
        raise ValueError("give a number, or `unknown` when the source does not say")
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise ValueError(f"{v!r} is not a positive whole number (or `unknown`)")
    return v


def _optional_text(v: Any) -> Any:
    return None if v is None or _unknown(v) else v


KnownInt = Annotated[Optional[int], BeforeValidator(_known_int)]
MaybeInt = Annotated[Optional[int], BeforeValidator(lambda v: None if _unknown(v) else v)]
MaybeText = Annotated[Optional[str], BeforeValidator(_optional_text)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Protocol(_Frozen):
    """How a number was produced. Required: data, backbone, epochs, batch, evaluation."""

    dataset: str = Field(min_length=1)  # pretraining data; also the evaluation data unless eval_dataset
    eval_dataset: str = ""  # where the number is measured when other than `dataset` (VOC07 after ImageNet)
    backbone: str = Field(min_length=1)
    epochs: KnownInt  # pretraining epochs
    batch: KnownInt  # total pretraining batch over all devices
    eval: EvalKind
    eval_epochs: KnownInt = None  # linear / fine-tune epochs; not given for kNN and online linear
    labels: int = Field(default=100, gt=0, le=100)  # percent of the training labels the evaluation used
    knn_k: MaybeInt = None
    task: str = ""  # what an `other` or transfer evaluation measures: "VOC07 detection (Fast R-CNN)"
    stem: Optional[Stem] = None
    image_size: MaybeInt = None
    views: MaybeText = None  # crops per image: "2x224+6x96", "2x32"
    notes: list[str] = Field(default_factory=list)  # what else differs materially, one item each

    @field_validator("stem", mode="before")
    @classmethod
    def _stem(cls, v: Any) -> Any:
        return None if _unknown(v) else v

    @model_validator(mode="after")
    def _eval_epochs(self) -> "Protocol":
        given = "eval_epochs" in self.model_fields_set
        if self.eval in ("linear", "fine-tune") and not given:
            raise ValueError(f"a {self.eval} evaluation needs eval_epochs (a number, or `unknown`)")
        if self.eval in ("knn", "online-linear") and given:
            raise ValueError(f"eval_epochs does not apply to {EVAL_LABELS[self.eval]} evaluation "
                             "(online linear trains for the pretraining epochs)")
        if self.knn_k is not None and self.eval != "knn":
            raise ValueError("knn_k applies to kNN evaluation only")
        return self

    @property
    def measured_on(self) -> str:
        return self.eval_dataset or self.dataset

    def eval_text(self) -> str:
        """The evaluation in a few words: `linear 100 ep`, `kNN k=200`, `fine-tune 30 ep, 1% labels`."""
        text = EVAL_LABELS[self.eval] if self.eval != "other" or not self.task else self.task
        if self.eval in ("linear", "fine-tune"):
            text += f" {self.eval_epochs} ep" if self.eval_epochs else " (epochs unknown)"
        if self.knn_k:
            text += f" k={self.knn_k}"
        if self.labels != 100:
            text += f", {self.labels:g}% labels"
        if self.task and self.eval != "other":
            text += f", {self.task}"
        return text

    def text(self) -> str:
        """One line: `CIFAR-10 · ResNet-18 (cifar stem) · 1000 ep · batch 256 · online linear`."""
        data = self.dataset if not self.eval_dataset else f"{self.dataset} -> {self.eval_dataset}"
        backbone = self.backbone + (f" ({self.stem} stem)" if self.stem else "")
        parts = [data, backbone, f"{self.epochs} ep" if self.epochs else "epochs unknown",
                 f"batch {self.batch}" if self.batch else "batch unknown"]
        parts += [f"{self.image_size}px"] * bool(self.image_size) + [f"views {self.views}"] * bool(self.views)
        return " · ".join(parts + [self.eval_text()])


class Reference(_Frozen):
    """Where a number stands: `where` (URL or `owner/repo:path@commit`) and `at` (line/table)."""

    where: str
    at: str = Field(min_length=1)  # "L227 (CIFAR-10 table)", "Table 6", "Abstract"
    read: Optional[dt.date] = None  # the day it was read; empty: carried over, not re-read
    also: list[str] = Field(default_factory=list)  # files the protocol details were read from

    @field_validator("where")
    @classmethod
    def _where(cls, v: str) -> str:
        return check_source(v, anchor=False)

    @field_validator("also")
    @classmethod
    def _also(cls, v: list[str]) -> list[str]:
        return [check_source(s, anchor=True) for s in v]

    def text(self) -> str:
        return f"{self.where} {self.at}" + (f" (read {self.read.isoformat()})" if self.read else "")


def check_source(text: str, anchor: bool) -> str:
    """`text` if it is a URL or `owner/repo:path@commit` (with `#L12` when `anchor`), else an error."""
    ok = URL.fullmatch(text) or REPO_FILE.fullmatch(text)
    if not ok or (not anchor and ok.group(1)):
        where = "owner/repo:path@commit#L12" if anchor else "owner/repo:path@commit (line in `at`)"
        raise ValueError(f"{text!r} is neither an http(s) URL nor {where}")
    return text


class Result(_Frozen):
    """One number on a card: the paper's own (`by: paper`) or a reimplementation's."""

    by: Reporter = "paper"
    metric: str = Field(min_length=1)  # "top-1", "top-5", "mAP"
    value: float = Field(gt=0, le=100)
    protocol: Protocol
    source: Reference
    variant: str = ""  # the method as the source names it when that is not the paper's method
    note: str = ""

    @model_validator(mode="after")
    def _paper_cites_the_paper(self) -> "Result":
        if self.by == "paper" and not self.source.where.startswith("http"):
            raise ValueError("a paper's number cites the paper (its URL), with supporting files in `also`")
        return self

    def as_note_result(self) -> NoteResult:
        """The row of the note's experiments table (the paper's numbers only go there)."""
        p = self.protocol
        words = {"linear": "linear eval", "online-linear": "online linear eval", "knn": "kNN",
                 "fine-tune": "fine-tune", "other": p.task or "other"}[p.eval]
        words += f" {p.eval_epochs} ep" if p.eval_epochs else ""
        words += f", {p.labels:g}% labels" if p.labels != 100 else ""
        words += f", {p.task}" if p.task and p.eval != "other" else ""
        backbone = p.backbone + (f" at {p.image_size}px" if p.image_size else "")
        return NoteResult(dataset=p.measured_on, protocol=words, backbone=backbone,
                          metric=self.metric, value=self.value, source=self.source.at, note=self.note)
