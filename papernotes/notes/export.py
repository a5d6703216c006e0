"""What `papernotes export --bibtex` writes: one entry per paper.

Notes that are not papers (no authors, arXiv id or DOI: a reading list, a topic page) are left
out rather than exported as `@misc{anon...}`; notes about the same paper (the same arXiv id or
DOI) become one entry, its fields taken from the first note and filled in from the others.
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


def _fill(first: "Metadata", other: "Metadata") -> "Metadata":
    empty = {name: getattr(other, name) for name in type(first).model_fields
             if getattr(first, name) in ("", None, []) and getattr(other, name) not in ("", None, [])}
    return first.model_copy(update=empty) if empty else first


def plan_export(notes: list["Note"]) -> ExportPlan:
    """The entries to write, in the order of the notes, and what was left out or merged."""
    plan = ExportPlan()
    index: dict[str, int] = {}  # arxiv/doi id -> entry
    keys: list[list[str]] = []
    for note in notes:
        if not is_paper(note):
            plan.not_papers.append(note.key)
            continue
        ids = paper_ids(note.meta, with_title=False)
        at = next((index[i] for i in sorted(ids) if i in index), None)
        if at is None:
            at = len(plan.papers)
            plan.papers.append(note.meta)
            keys.append([note.key])
        else:
            plan.papers[at] = _fill(plan.papers[at], note.meta)
            keys[at].append(note.key)
        for i in ids | paper_ids(plan.papers[at], with_title=False):
            index.setdefault(i, at)
    plan.merged = [k for k in keys if len(k) > 1]
    return plan
