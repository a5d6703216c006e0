"""The properties an imported note gets: what the note itself says first (an authors line,
a venue, a code link, the evidence `identify.py` found, Hexo tags and categories, inline
`#tags`), then the matched catalog card; a property the user wrote is never overwritten.
A card with a repro spec also sets `repro:`, so `papernotes repro` runs on the note.
"""

from __future__ import annotations

import re
from typing import Any

from papernotes.notes.format.placeholders import is_placeholder
from papernotes.notes.importer.identify import Identification
from papernotes.notes.model.tags import merge_tags, tag_key

_LABEL = r"(?:[-*+]\s+)?(?:\|\s*)?(?:\*\*)?\s*{}\s*(?:\*\*)?\s*[:：|]\s*(?:\*\*)?\s*(.+?)\s*\|?\s*$"
_FIELDS = {
    "authors": re.compile(_LABEL.format(r"(?:作者|Authors?)"), re.I),
    "year": re.compile(_LABEL.format(r"(?:年份|年|Year)"), re.I),
    "venue": re.compile(_LABEL.format(r"(?:出版来源|会议|期刊|发表于|Venue|Published in|"
                                      r"Conference)"), re.I),
    "code": re.compile(_LABEL.format(r"(?:代码链接|代码|源码|Code|Github|GitHub|Repo)"), re.I),
}
_URL = re.compile(r"https?://[^\s)>\]\"'|]+")
_SPLIT = re.compile(r"\s*(?:,|，|、|;|；|\band\b|&)\s*")
_INLINE_TAG = re.compile(r"(?:(?<=\s)|^)#([\w/\-]+)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def _lines(text: str):
    """(line number, line with inline code blanked) outside fenced code."""
    fenced = False
    for no, line in enumerate(text.split("\n"), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield no, _INLINE_CODE.sub(lambda m: " " * len(m.group()), line.rstrip("\r"))


def _value(name: str, raw: str) -> Any:
    raw = raw.strip(" \t|*`")
    if not raw or is_placeholder(raw) or set(raw) <= set("-.…:： "):
        return None
    if name == "authors":
        names = [n.strip(" *`") for n in _SPLIT.split(raw) if n.strip(" *`")]
        return names if names and all(len(n) < 60 for n in names) else None
    if name == "year":
        m = re.search(r"\b(19|20)\d{2}\b", raw)
        return int(m.group()) if m else None
    if name == "code":
        m = _URL.search(raw)
        return m.group() if m and ("github" in m.group() or "gitlab" in m.group()
                                   or "code" in m.group()) else None
    if name == "venue":
        raw = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)
        return raw if len(raw) <= 80 else None
    return raw


def note_facts(body: str, line0: int) -> dict[str, tuple[Any, int]]:
    """What labelled lines of the body say (`**作者：** A, B`, `| 年份 | 2020 |`, `Code: URL`),
    each with its file line (`line0`: lines before the body)."""
    out: dict[str, tuple[Any, int]] = {}
    for no, line in _lines(body):
        if len(line) > 300:
            continue
        for name, rx in _FIELDS.items():
            if name in out:
                continue
            m = rx.match(line.strip())
            if m:
                value = _value(name, m.group(1))
                if value is not None:
                    out[name] = (value, line0 + no)
    return out


def inline_tags(body: str) -> list[str]:
    """Obsidian `#tags` in the body (not headings, code, links or `&#123;`)."""
    found: list[str] = []
    for _, line in _lines(body):
        if re.match(r"^\s*#{1,6}\s", line):
            line = re.sub(r"^\s*#{1,6}\s", "", line)
        found += [m.group(1) for m in _INLINE_TAG.finditer(line)]
    return merge_tags(found)


def _categories(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return ["/".join(map(str, x)) if isinstance(x, list) else str(x) for x in items if x]


def fill_properties(props: dict[str, Any], ident: Identification, body: str, line0: int,
                    log: list[tuple[str, str]]) -> dict[str, Any]:
    """`props` with the missing properties filled (in place and returned); `log` gets one
    (property, where from) per value set."""
    facts = note_facts(body, line0)
    ev = ident.evidence
    named = any(e.card for e in ident.found)
    for e in ident.found:  # what the evidence says of the note's own paper
        if (ev is not None and e.card != ev.card) or (ev is None and named):
            continue  # cited work, or several papers and none the note's own
        for name, value in e.facts.items():
            if name in ("arxiv", "venue", "year", "authors") and name not in facts:
                facts[name] = (value, e.line)
    card = ident.card
    from_card = {} if card is None else {
        "authors": list(card.authors), "year": card.year, "venue": card.venue,
        "arxiv": card.arxiv, "code": card.code_url or None}
    for name in ("authors", "year", "venue", "arxiv", "code"):
        if props.get(name) not in (None, "", []):
            continue
        if name in facts:
            props[name] = facts[name][0]
            log.append((name, f"from line {facts[name][1]}"))
        elif from_card.get(name) not in (None, "", []):
            props[name] = from_card[name]
            log.append((name, f"from catalog {card.key}"))
    tags = merge_tags(str(t) for t in (props.get("tags") or []))
    extra = merge_tags(_categories(props.get("categories"))) if "categories" in props else []
    extra += inline_tags(body)
    have = {tag_key(t) for t in tags}
    new = [t for t in merge_tags(extra) if tag_key(t) not in have]
    if new:
        props["tags"] = tags + new
        log.append(("tags", f"+ {new} (Hexo categories, inline #tags)"))
    if card is not None:
        have = props.get("aliases") or []
        aliases = [have] if isinstance(have, str) else [str(a) for a in have]
        add = [a for a in card.aliases if a not in aliases]
        if add:
            props["aliases"] = aliases + add
            log.append(("aliases", f"+ {add} from catalog {card.key}"))
        if card.repro and not props.get("repro"):
            props["repro"] = card.repro
            log.append(("repro", f"{card.repro} from catalog {card.key}"))
    return props
