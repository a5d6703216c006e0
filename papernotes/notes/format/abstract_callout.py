"""The paper's own abstract in a note: a folded Obsidian callout quoting it, placed under the
abstract section's heading (after the template's tip), so the user's summary lines stay theirs.

    > [!abstract]- 摘要原文 (arXiv 2002.05709)
    > We present SimCLR: a simple framework ...

The parser skips block quotes in the abstract section, so the quote is never read as the
user's summary. `abstract_of(text)` reads a callout written here back (for `sync`).
"""

from __future__ import annotations

import re

from papernotes.notes.format.regions import newline_of
from papernotes.notes.format.section_labels import section_of

LABEL = {"zh": "摘要原文", "en": "Abstract"}
_HEAD = re.compile(r"^> \[!abstract\]-? (?:摘要原文|Abstract) \((?P<src>[^)]*)\)\s*$")


def callout(abstract: str, source: str, lang: str) -> list[str]:
    body = [f"> {line}" if line.strip() else ">" for line in abstract.strip().splitlines()]
    return [f"> [!abstract]- {LABEL.get(lang, LABEL['en'])} ({source})", *body]


def _abstract_heading(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line.startswith("## ") and section_of(line[3:].strip()) == "abstract":
            return i
    return None


def with_abstract(text: str, abstract: str, source: str, lang: str) -> str:
    """`text` with the callout under its abstract heading (an earlier one replaced); `text`
    itself if it has no abstract section or `abstract` is empty."""
    if not abstract.strip():
        return text
    nl = newline_of(text)
    lines = text.split(nl)
    head = _abstract_heading(lines)
    if head is None:
        return text
    found = _find(lines, head)
    if found is not None:
        start, end = found
        lines[start:end] = callout(abstract, source, lang)
        return nl.join(lines)
    at = head + 1
    while at < len(lines) and not lines[at].strip():
        at += 1
    if at < len(lines) and lines[at].startswith("> [!tip]"):
        while at < len(lines) and lines[at].startswith(">"):
            at += 1
        lines[at:at] = ["", *callout(abstract, source, lang)]
    else:
        lines[head + 1:head + 1] = ["", *callout(abstract, source, lang)]
    return nl.join(lines)


def _find(lines: list[str], head: int) -> tuple[int, int] | None:
    for i in range(head + 1, len(lines)):
        if lines[i].startswith("## "):
            return None
        if _HEAD.match(lines[i]):
            end = i + 1
            while end < len(lines) and lines[end].startswith(">"):
                end += 1
            return i, end
    return None


def abstract_of(text: str) -> tuple[str, str] | None:
    """The quoted abstract and its source label, if the note has the callout."""
    lines = text.replace("\r\n", "\n").split("\n")
    head = _abstract_heading(lines)
    found = None if head is None else _find(lines, head)
    if found is None:
        return None
    start, end = found
    src = _HEAD.match(lines[start]).group("src")
    return "\n".join(line[2:] if line.startswith("> ") else "" for line in lines[start + 1:end]), src
