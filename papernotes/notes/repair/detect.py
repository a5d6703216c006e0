"""Which code pages can have produced a text's damage, block by block.

A text is read through every page of `codepages.PAGES`. A page can explain a block (a
paragraph: text between blank lines) when every run of its characters there parses as UTF-8
with lost bytes, and either one of them is clearly damaged (`mojibake.run_is_clearly_damaged`)
or the whole text reads as damage through that page (all its non-ASCII characters in the
page's runs, every run parsing, one clearly damaged). Real text in the page's own language
fails that test: a word of Russian, Greek or Turkish letters reads as lead bytes with no
continuation, which parse only by chance, and never all of them with a complete character
among them. Which of the pages that can explain a block explains it best is decided by the
language model in `mojibake_repair.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from papernotes.notes.repair.codepages import PAGES, CodePage
from papernotes.notes.repair.mojibake import DamagedRun, PageRuns, code_spans, read_through

_BLANK = re.compile(r"\n[ \t\r]*\n")


def blocks(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of `text` (the blank lines between them belong to none)."""
    out, pos = [], 0
    for m in _BLANK.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


@dataclass(frozen=True)
class Explanation:
    """One page that can explain one block: the runs to read back through it."""

    page: CodePage
    lost: tuple[int, ...]
    start: int  # the block, in the text
    end: int
    runs: tuple[DamagedRun, ...]

    @property
    def lossless(self) -> bool:
        """Every damaged sequence came through whole: one reading, nothing to choose."""
        return all(u.missing == 0 for r in self.runs for u in r.units)

    @property
    def damaged_chars(self) -> int:
        return sum(r.end - r.start for r in self.runs)


@dataclass
class Detection:
    text: str
    spans: list[tuple[int, int]]
    options: list[list[Explanation]] = field(default_factory=list)  # per block, page order

    @property
    def damaged(self) -> bool:
        return any(self.options)

    def first_line(self) -> int:
        """Line of the first block some page reads as damaged (1 when none)."""
        for opts in self.options:
            if opts:
                first = min(r.start for r in opts[0].runs)
                return self.text.count("\n", 0, first) + 1
        return 1


def _explain(text: str, pr: PageRuns, a: int, b: int, whole: bool,
             code: list[tuple[int, int]] | None) -> Explanation | None:
    runs = [r for r in pr.runs if a <= r.start < b]
    if not runs or any(a <= s < b for s, _ in pr.failed):
        return None
    if not whole:
        if not any(r.clear for r in runs):
            return None
        if any(c > "\x7f" and c not in pr.page.to_byte for c in text[a:b]):
            # real non-ASCII text beside the damage: only what is clearly damaged, and not
            # inside code, where mojibake is quoted on purpose (`论文` became `è®ºæ–‡`)
            runs = [r for r in runs if r.clear and not any(s <= r.start < e for s, e in code or ())]
            if not runs:
                return None
    return Explanation(pr.page, pr.lost, a, b, tuple(runs))


def detect(text: str, pages: list[CodePage] | None = None) -> Detection:
    """Every page that can explain each block of `text` (none: the text is not damaged)."""
    spans = blocks(text)
    det = Detection(text, spans, [[] for _ in spans])
    if text.isascii():
        return det
    code: list[tuple[int, int]] | None = None
    for cp in pages or PAGES.values():
        pr = read_through(text, cp)
        if not pr.clear:
            continue
        whole = not pr.failed and pr.foreign == 0
        if not whole and code is None:
            code = code_spans(text)
        for k, (a, b) in enumerate(spans):
            exp = _explain(text, pr, a, b, whole, code)
            if exp is not None:
                det.options[k].append(exp)
    return det


def looks_damaged(text: str) -> bool:
    """Whether some page explains damage in `text`."""
    return detect(text).damaged
