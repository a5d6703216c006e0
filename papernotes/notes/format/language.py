"""A note's language: the one decision every tool uses for the labels it writes in the note
(`⚪ 未读` or `⚪ Unread`, `**要点 (Points)**` or `**Points**`) and shows for it (`list`, `show`).

In order: the title line of our templates (`# 论文阅读笔记：...`), else the first template section
heading (`## 2. 摘要与核心问题`, with the user's words in parentheses too), else the script the
note's prose is written in. Prose means the text outside the frontmatter, fenced and inline
code, links' targets, HTML tags and the tools' own managed regions, and the count is Chinese
characters against Latin words (1.5 characters to a word): a Chinese note with `ResNet-50`
and `encoder` in it is Chinese.
"""

from __future__ import annotations

import re

from papernotes.notes.format.fences import lines_outside_fences
from papernotes.notes.format.section_labels import ZH_SECTION_TITLES, base_title, section_of

TITLE_PREFIXES = {"论文阅读笔记：": "zh", "Paper note:": "en"}
_H2 = re.compile(r"^##[ \t]+(.*?)[ \t#]*$")
_REGION = re.compile(r"^%% papernotes:(begin|end) [a-z][a-z0-9_-]* %%")
_NOT_PROSE = re.compile(r"`[^`]*`|\]\([^)]*\)|<[^>\n]*>|https?://\S+|\[\[[^\]|]*\|?")
_WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z0-9]+)*")
_ZH_BASES = frozenset(base_title(t) for t in ZH_SECTION_TITLES)


def _lines(text: str) -> list[str]:
    """The note's lines without its frontmatter."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0] == "---":
        for n, line in enumerate(lines[1:], start=1):
            if line in ("---", "..."):
                return lines[n + 1:]
    return lines


def heading_language(title: str) -> str | None:
    """"zh" or "en" for a template section heading (the user's words in parentheses too)."""
    if section_of(title) is None:
        return None
    return "zh" if title in ZH_SECTION_TITLES or base_title(title) in _ZH_BASES else "en"


def script_language(text: str) -> str:
    """"zh" when the prose of `text` has at least 1.5 Chinese characters (a Chinese word's
    length) for each Latin word."""
    cjk = sum("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)
    words = len(_WORD.findall(text))
    return "zh" if cjk and 2 * cjk >= 3 * words else "en"


def note_language(text: str) -> str:
    """"zh" or "en": the language of the note `text` (a whole note, or its body)."""
    lines = _lines(text)
    prose: list[str] = []
    in_region = False
    for i in lines_outside_fences(lines):
        line = lines[i]
        if _REGION.match(line):
            in_region = line.startswith("%% papernotes:begin")
            continue
        if in_region:
            continue
        for prefix, lang in TITLE_PREFIXES.items():
            if line.startswith("# " + prefix):
                return lang
        heading = _H2.match(line)
        if heading and (lang := heading_language(heading.group(1))) is not None:
            return lang
        prose.append(_NOT_PROSE.sub(" ", line))
    return script_language("\n".join(prose))
