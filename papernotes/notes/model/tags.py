"""Obsidian tag rules: no spaces, nesting with '/', not purely numeric, no leading '#'."""

from __future__ import annotations

import re

_BAD = re.compile(r"[^\w/\-]", re.UNICODE)


def normalize_tag(tag: str) -> str:
    """`"Computer Vision"` -> `"computer-vision"`; `"#ssl/contrastive"` -> `"ssl/contrastive"`.

    Returns "" for something that cannot be a tag (empty, or digits only).
    """
    t = tag.strip().lstrip("#").strip("`").strip()
    t = re.sub(r"\s+", "-", t)
    t = _BAD.sub("", t)
    t = re.sub(r"/+", "/", t).strip("/")
    t = re.sub(r"-{2,}", "-", t)
    if t.isascii():
        t = t.lower()
    if not t or t.replace("/", "").isdigit():
        return ""
    return t
