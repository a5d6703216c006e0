"""Which Obsidian properties a note has, and how each maps to the Note model.

The frontmatter is the source of truth for these fields: where both it and the body (header
lines, metadata table) say something, the frontmatter wins, because tools rewrite only it.
"""

from __future__ import annotations

from typing import Any

from papernotes.notes.model.schema import Note

# property -> dotted Note field it mirrors
PROPERTY_FIELDS: dict[str, str] = {
    "title": "meta.title",
    "aliases": "aliases",
    "tags": "meta.tags",
    "date": "date",
    "status": "status",
    "rating": "rating",
    "arxiv": "meta.arxiv",
    "repro": "repro",
    "related": "related",
    "authors": "meta.authors",
    "year": "meta.year",
    "venue": "meta.venue",
    "code": "meta.code_url",
    "doi": "meta.doi",
    "citekey": "meta.citekey",
    "pdf": "meta.pdf_url",
}
# written only when set, so that a note without them keeps the template's frontmatter
_WHEN_SET = {"doi": "doi", "citekey": "citekey", "pdf": "pdf_url"}


def wikilink(key: str) -> str:
    return f"[[{key}]]"


def unwikilink(text: str) -> str:
    """`[[moco|MoCo]]` -> `moco`; plain text is returned stripped."""
    t = str(text).strip()
    if t.startswith("[[") and t.endswith("]]"):
        t = t[2:-2].split("|", 1)[0].split("#", 1)[0].strip()
    return t


def note_properties(note: Note) -> dict[str, Any]:
    """The note's properties as plain YAML-ready values, in the template's order."""
    m = note.meta
    props = {
        "title": m.title,
        "aliases": list(note.aliases),
        "tags": list(m.tags),
        "date": note.date,
        "status": note.status.value,
        "rating": note.rating,
        "arxiv": m.arxiv,
        "repro": note.repro,
        "related": [wikilink(k) for k in note.related],
        "authors": list(m.authors),
        "year": m.year,
        "venue": m.venue,
        "code": m.code_url,
    }
    props.update({prop: getattr(m, name) for prop, name in _WHEN_SET.items() if getattr(m, name)})
    return props
