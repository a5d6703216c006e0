"""Obsidian tag rules: no spaces, nesting with '/', not purely numeric, no leading '#'.

The case is the user's (`SimCLR`, `MAE`, `ViT` stay as written). Obsidian matches tags ignoring
case, so tags compare and deduplicate by `tag_key`, and the first spelling seen is kept.
"""

from __future__ import annotations

import re
from typing import Iterable

_BAD = re.compile(r"[^\w/\-]", re.UNICODE)


def normalize_tag(tag: str) -> str:
    """`"Computer Vision"` -> `"Computer-Vision"`; `"#ssl/contrastive"` -> `"ssl/contrastive"`.

    Returns "" for something that cannot be a tag (empty, or digits only).
    """
    t = tag.strip().lstrip("#").strip("`").strip()
    t = re.sub(r"\s+", "-", t)
    t = _BAD.sub("", t)
    t = re.sub(r"/+", "/", t).strip("/")
    t = re.sub(r"-{2,}", "-", t)
    if not t or t.replace("/", "").isdigit():
        return ""
    return t


def tag_key(tag: str) -> str:
    """What Obsidian compares: the tag ignoring case."""
    return tag.casefold()


def merge_tags(*groups: Iterable[str]) -> list[str]:
    """The tags of every group in order, each once ignoring case (its first spelling kept)."""
    out: dict[str, str] = {}
    for group in groups:
        for tag in group:
            t = normalize_tag(tag)
            if t:
                out.setdefault(tag_key(t), t)
    return list(out.values())


def has_tag(tags: Iterable[str], want: str) -> bool:
    """Whether `tags` hold `want` or a tag nested under it, ignoring case (as Obsidian does)."""
    w = tag_key(normalize_tag(want))
    return bool(w) and any(tag_key(t) == w or tag_key(t).startswith(w + "/") for t in tags)
