"""Damaged runs: text that reads as UTF-8 bytes misread through a code page (`codepages.py`).

All lost bytes are UTF-8 *continuation* bytes (0x80-0xBF), so every damaged multi-byte
character keeps its lead byte: reading a run of a page's characters back as bytes gives lead
bytes each followed by at most as many continuation bytes as the lead announces. That
structure, plus a plausibility test, is how damaged runs are told apart from real text; which
page the text went through is chosen in `detect.py`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product

from papernotes.notes.repair.codepages import PAGES, CodePage, damage  # noqa: F401 (re-export)

_CP1252 = PAGES["cp1252"]
LOST_BYTES: tuple[int, ...] = tuple(sorted(_CP1252.lost))

# Character -> the byte Windows-1252 decodes to it (the most common page), and back.
CHAR_TO_BYTE: dict[str, int] = _CP1252.to_byte
BYTE_TO_CHAR: dict[int, str] = _CP1252.to_char


def _seq_len(lead: int) -> int:
    """Bytes in the UTF-8 sequence a lead byte starts; 0 if it cannot start one."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


_HARD_EXCLUDED = {"Cn", "Co", "Cs", "Cc"}
_ALLOWED_FORMAT = {"\u200d", "\u200c"}  # joiners in emoji sequences


def plausible_char(ch: str) -> bool:
    """Could this character occur in a real note? (assigned, not private use, no controls)."""
    cat = unicodedata.category(ch)
    if cat in _HARD_EXCLUDED:
        return False
    if cat == "Cf":
        return ch in _ALLOWED_FORMAT or "\ufe00" <= ch <= "\ufe0f"
    return True


@dataclass(frozen=True)
class Unit:
    """One damaged character: its lead byte, the continuation bytes that survived, and the
    characters it could have been (exactly one when nothing was lost)."""

    start: int  # offset of the lead character in the run
    end: int
    missing: int
    candidates: tuple[str, ...]


@lru_cache(maxsize=65536)
def candidates_for(seq: bytes, need: int, lost: tuple[int, ...] = LOST_BYTES
                   ) -> tuple[str, ...]:
    """All plausible characters whose UTF-8 is `seq` with `need - len(seq)` bytes of `lost`
    put back."""
    present = list(seq[1:])
    missing = need - len(seq)
    if missing == 0:
        try:
            ch = seq.decode("utf-8")
        except UnicodeDecodeError:
            return ()
        return (ch,) if plausible_char(ch) else ()
    found: list[str] = []
    slots = need - 1
    for pos in combinations(range(slots), missing):
        for vals in product(lost, repeat=missing):
            cont, it_p, it_v = [], iter(present), iter(vals)
            for i in range(slots):
                cont.append(next(it_v) if i in pos else next(it_p))
            try:
                ch = bytes([seq[0], *cont]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if plausible_char(ch) and ch not in found:
                found.append(ch)
    return tuple(sorted(found))


def parse_run(run: str, to_byte: dict[str, int] = CHAR_TO_BYTE,
              lost: tuple[int, ...] = LOST_BYTES) -> list[Unit] | None:
    """Read a run of a page's characters as UTF-8 whose bytes of `lost` may be missing.
    None if it cannot be such damage (a stray continuation, an invalid lead, no candidate)."""
    data = [to_byte[c] for c in run]
    units: list[Unit] = []
    i = 0
    while i < len(data):
        need = _seq_len(data[i])
        if need == 0:
            return None
        j = i + 1
        while j < len(data) and j - i < need and 0x80 <= data[j] <= 0xBF:
            j += 1
        cands = candidates_for(bytes(data[i:j]), need, lost if j - i < need else ())
        if not cands:
            return None
        units.append(Unit(i, j, need - (j - i), cands))
        i = j
    return units


def run_is_clearly_damaged(run: str, units: list[Unit]) -> bool:
    """Damaged beyond reasonable doubt: a complete 3/4-byte character decodes from it, or
    ftfy both flags it as bad and would re-decode it itself. Real words like `naïve`,
    `Straße“`, `café—`, `3×²` are none of these."""
    if any(u.missing == 0 and u.end - u.start >= 3 for u in units):
        return True
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    if len(units) == 1 and not "\x80" <= units[0].candidates[0] <= "\u024f":
        return False  # one 2-byte character outside Latin: `3×²` is not Hebrew `3ײ`
    return is_bad(run) and fix_encoding(run) != run


@dataclass(frozen=True)
class DamagedRun:
    start: int  # offset in the text
    end: int
    units: tuple[Unit, ...]
    clear: bool


@dataclass(frozen=True)
class PageRuns:
    """A text read through one page: every run of the page's characters, parsed or not."""

    page: CodePage
    lost: tuple[int, ...]
    runs: tuple[DamagedRun, ...]  # the runs that parse
    failed: tuple[tuple[int, int], ...]  # (start, end) of runs that cannot be damage
    foreign: int  # non-ASCII characters outside the page's image

    @property
    def clear(self) -> bool:
        return any(r.clear for r in self.runs)


def read_through(text: str, cp: CodePage, lost: frozenset[int] | None = None) -> PageRuns:
    """Every run of `cp`'s characters in `text`, parsed as damage through `cp`."""
    lost_t = tuple(sorted(cp.lost_in(text) if lost is None else lost))
    runs: list[DamagedRun] = []
    failed: list[tuple[int, int]] = []
    covered = 0
    for m in cp.run_re.finditer(text):
        covered += m.end() - m.start()
        units = parse_run(m.group(), cp.to_byte, lost_t)
        if units is None:
            failed.append(m.span())
            continue
        runs.append(DamagedRun(m.start(), m.end(), tuple(units),
                               run_is_clearly_damaged(m.group(), units)))
    # the non-ASCII characters, counted in C (a 5 MB note: 5M Python steps per page saved)
    foreign = len(text) - len(text.encode("ascii", "ignore")) - covered
    return PageRuns(cp, lost_t, tuple(runs), tuple(failed), foreign)


def find_damaged_runs(text: str, cp: CodePage = _CP1252) -> list[DamagedRun]:
    """Runs that read as damaged UTF-8 through `cp`. Once any run is clearly damaged the text
    is taken as damaged, and every run that parses counts (a lone `â` for a lost `⭐`
    included) unless undamaged non-ASCII text sits beside it; otherwise nothing is reported,
    so undamaged text is never touched."""
    pr = read_through(text, cp)
    return select_runs(text, pr)


def select_runs(text: str, pr: PageRuns) -> list[DamagedRun]:
    """The runs of `pr` to repair (see `find_damaged_runs`)."""
    if not pr.clear:
        return []
    if pr.foreign:
        # Real non-ASCII text beside the damage (whole-file damage leaves none): mixed text,
        # so only what is clearly damaged is taken, and not inside code, where mojibake is
        # quoted on purpose (`论文` became `è®ºæ–‡`).
        code = code_spans(text)
        return [r for r in pr.runs if r.clear and not any(a <= r.start < b for a, b in code)]
    return list(pr.runs)


_CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1|`[^`\n]+`", re.S | re.M)


def code_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _CODE.finditer(text)]
