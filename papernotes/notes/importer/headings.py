"""Recognising the user's template headings however they are written: Chinese or English,
numbered (`1.`, `1、`, `一、`, `(1)`) or not, with or without the English in parentheses.
`section_kind("二、摘要与核心问题")` -> "abstract"; `canonical_title("abstract", "zh")` is the
heading the parser reads (`section_labels.SECTION_TITLES`)."""

from __future__ import annotations

import re
import unicodedata

from papernotes.notes.format.section_labels import SECTION_TITLES, ZH_SECTION_TITLES, base_title

_NUMBER = re.compile(
    r"^\s*(?:[(（]?\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）]|(?:\d+|[一二三四五六七八九十]+)"
    r"\s*[.、．:：)）]|第[一二三四五六七八九十\d]+(?:章|节|部分)?)\s*")
_PAREN = re.compile(r"[(（]([^)）]*)[)）]\s*$")


def _norm(text: str) -> str:
    """Letters and digits only (emoji, punctuation, spaces dropped), case-folded."""
    kept = "".join(c for c in text if unicodedata.category(c)[0] in "LN")
    return kept.casefold().replace("and", "")


def _names() -> dict[str, str]:
    out: dict[str, str] = {}
    for title, kind in SECTION_TITLES.items():
        bare = _NUMBER.sub("", title)
        m = _PAREN.search(bare)
        if m:
            out[_norm(m.group(1))] = kind
            bare = bare[: m.start()]
        out[_norm(bare)] = kind
    return out


_NAMES = _names()


def _lookup(name: str) -> str | None:
    """Exact name, or a shortened one (`摘要`, `Abstract`, `Thoughts`) that starts or ends
    exactly one section's name."""
    if name in _NAMES:
        return _NAMES[name]
    if len(name) < (2 if not name.isascii() else 5):
        return None
    kinds = {k for n, k in _NAMES.items() if n.startswith(name) or n.endswith(name)}
    return kinds.pop() if len(kinds) == 1 else None


def section_kind(heading: str) -> str | None:
    """The template section a heading stands for, or None for the user's own section."""
    bare = _NUMBER.sub("", heading.strip()).strip("*# ").strip()
    m = _PAREN.search(bare)
    if m:
        inner, outer = _norm(m.group(1)), _norm(bare[: m.start()])
        return _lookup(outer) or _lookup(inner)
    return _lookup(_norm(bare))


def canonical_title(kind: str, lang: str) -> str:
    """The heading text our templates use for `kind` in `lang`."""
    han = [t for t, k in SECTION_TITLES.items() if k == kind]
    zh = [t for t in han if t in ZH_SECTION_TITLES]
    en = [t for t in han if t not in zh]
    return (zh or en)[0] if lang == "zh" else (en or zh)[0]


def heading_for(kind: str, lang: str, heading: str) -> str:
    """The heading `import` writes for the user's `heading` of section `kind`: the template's,
    with the user's own words kept in parentheses when the template's do not already say
    them (`## Abstract` -> `2. 摘要与核心问题 (Abstract)`; `二、摘要与核心问题` -> the template's)."""
    canon = canonical_title(kind, lang)
    words = _NUMBER.sub("", heading.strip()).strip("*# ").strip()
    m = _PAREN.search(words)
    pieces = [words[: m.start()].strip(), m.group(1).strip()] if m else [words]
    own = [p for p in pieces if _norm(p) and _norm(p) not in _norm(canon)]
    return f"{base_title(canon)} ({' '.join(own)})" if own else canon
