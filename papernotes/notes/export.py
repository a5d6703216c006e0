"""What `papernotes export --bibtex` writes: one entry per paper.

Notes that are not papers (no authors, arXiv id or DOI: a reading list, a topic page) are left
out rather than exported as `@misc{anon...}`; notes about the same paper (the same arXiv id,
DOI, catalog card or title) become one entry, its fields taken from the first note and filled
in from the others. A note of a catalog paper is exported with the card's title (a note's own
heading, `BYOL 阅读笔记`, is no paper title) and the card's identifiers where the note has
none. The citekey is the note's own (`citekey` property, from BibTeX import, Zotero or `new
ID`), else one made for it (`sources/bibtex.citekeys`). Keys are given over the whole vault
before a subset is chosen, so an entry's key does not depend on which entries are exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papernotes.notes.identity import is_paper, paper_ids

if TYPE_CHECKING:
    from papernotes.notes.model.schema import Metadata, Note


@dataclass
class ExportPlan:
    papers: list["Metadata"] = field(default_factory=list)
    not_papers: list[str] = field(default_factory=list)  # keys left out
    merged: list[list[str]] = field(default_factory=list)  # keys of notes made one entry
    keys: list[list[str]] = field(default_factory=list)  # the note keys of each entry
    citekeys: list[str] = field(default_factory=list)  # each entry's citekey

    def only(self, note_keys: set[str]) -> "ExportPlan":
        """The entries of the notes `note_keys` (their citekeys as in the whole vault)."""
        pick = [i for i, ks in enumerate(self.keys) if note_keys & set(ks)]
        return ExportPlan([self.papers[i] for i in pick], [], [], [self.keys[i] for i in pick],
                          [self.citekeys[i] for i in pick])


def _fill(first: "Metadata", other: "Metadata") -> "Metadata":
    empty = {name: getattr(other, name) for name in type(first).model_fields
             if getattr(first, name) in ("", None, []) and getattr(other, name) not in ("", None, [])}
    return first.model_copy(update=empty) if empty else first


def _ids(meta: "Metadata", card_key: str | None) -> set[str]:
    return paper_ids(meta, with_title=True) | ({f"card:{card_key}"} if card_key else set())


def plan_export(notes: list["Note"]) -> ExportPlan:
    """The entries to write, in the order of the notes, and what was left out or merged."""
    from papernotes.notes.paper_card import card_of, with_card
    from papernotes.notes.sources.bibtex import citekeys

    plan = ExportPlan()
    index: dict[str, int] = {}  # arxiv/doi/card/title id -> entry
    for note in notes:
        if not is_paper(note):
            plan.not_papers.append(note.key)
            continue
        card = card_of(note.meta)
        meta = with_card(note.meta, card) if card is not None else note.meta
        ids = _ids(meta, card.key if card else None) | _ids(note.meta, None)
        at = next((index[i] for i in sorted(ids) if i in index), None)
        if at is None:
            at = len(plan.papers)
            plan.papers.append(meta)
            plan.keys.append([note.key])
        else:
            plan.papers[at] = _fill(plan.papers[at], meta)
            plan.keys[at].append(note.key)
        for i in ids | _ids(plan.papers[at], card.key if card else None):
            index.setdefault(i, at)
    plan.merged = [sorted(k) for k in plan.keys if len(k) > 1]  # named in key order, whatever the listing
    plan.citekeys = citekeys(plan.papers)
    return plan
