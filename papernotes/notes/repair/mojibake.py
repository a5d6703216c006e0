"""The user's damage model (UTF-8 read as Windows-1252, lossy) and its detection.

The damage, exactly: take the UTF-8 bytes of a text; decode each byte with Windows-1252,
where the five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) and the
soft hyphen 0xAD are dropped; the result is saved again as UTF-8. `论文` becomes `è®ºæ–‡`.

All lost bytes are UTF-8 *continuation* bytes (0x80-0xBF), so every damaged multi-byte
character keeps its lead byte: reading a run of Windows-1252 characters back as bytes gives
lead bytes each followed by at most as many continuation bytes as the lead announces. That
structure, plus a plausibility test, is how damaged runs are told apart from real text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product

LOST_BYTES: tuple[int, ...] = (0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xAD)

# Character -> the byte Windows-1252 decodes to it, for the bytes 0x80-0xFF that survive.
CHAR_TO_BYTE: dict[str, int] = {
    bytes([b]).decode("cp1252"): b for b in range(0x80, 0x100) if b not in LOST_BYTES
}
BYTE_TO_CHAR: dict[int, str] = {b: c for c, b in CHAR_TO_BYTE.items()}

# A run: consecutive characters that are all in the Windows-1252 image of 0x80-0xFF.
RUN_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(CHAR_TO_BYTE)) + "]+")


def damage(text: str) -> str:
    """Apply the user's damage once (the exact procedure; used by tests and the benchmark)."""
    out = []
    for b in text.encode("utf-8"):
        if b < 0x80:
            out.append(chr(b))
        elif b not in LOST_BYTES:
            out.append(BYTE_TO_CHAR[b])
    return "".join(out)


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
def candidates_for(seq: bytes, need: int) -> tuple[str, ...]:
    """All plausible characters whose UTF-8 is `seq` with `need - len(seq)` lost bytes put back."""
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
        for vals in product(LOST_BYTES, repeat=missing):
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


def parse_run(run: str) -> list[Unit] | None:
    """Read a run of Windows-1252 characters as UTF-8 with lost continuation bytes.
    None if it cannot be such damage (a stray continuation, an invalid lead, no candidate)."""
    data = [CHAR_TO_BYTE[c] for c in run]
    units: list[Unit] = []
    i = 0
    while i < len(data):
        need = _seq_len(data[i])
        if need == 0:
            return None
        j = i + 1
        while j < len(data) and j - i < need and 0x80 <= data[j] <= 0xBF:
            j += 1
        cands = candidates_for(bytes(data[i:j]), need)
        if not cands:
            return None
        units.append(Unit(i, j, need - (j - i), cands))
        i = j
    return units


def _strong_unit(u: Unit, run: str) -> bool:
    """A unit that real text would hardly produce: a complete sequence of 3+ bytes."""
    return u.missing == 0 and u.end - u.start >= 3


def run_is_clearly_damaged(run: str, units: list[Unit]) -> bool:
    """Damaged beyond reasonable doubt: a complete 3/4-byte character decodes from it, or
    ftfy both flags it as bad and would re-decode it itself. Real words like `naïve`,
    `Straße“`, `café—`, `3×²` are none of these."""
    if any(_strong_unit(u, run) for u in units):
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


def find_damaged_runs(text: str) -> list[DamagedRun]:
    """Runs that read as damaged UTF-8. Once any run is clearly damaged the text is taken as
    damaged, and every run that parses counts (a lone `â` for a lost `⭐` included) unless
    undamaged non-ASCII text sits beside it; otherwise nothing is reported, so undamaged
    text is never touched."""
    runs: list[DamagedRun] = []
    for m in RUN_RE.finditer(text):
        units = parse_run(m.group())
        if units is None:
            continue
        runs.append(DamagedRun(m.start(), m.end(), tuple(units),
                               run_is_clearly_damaged(m.group(), units)))
    if not any(r.clear for r in runs):
        return []
    if any(ord(c) > 0x7F and c not in CHAR_TO_BYTE for c in text):
        # Real non-ASCII text beside the damage (whole-file damage leaves none): mixed text,
        # so only what is clearly damaged is taken, and not inside code, where mojibake is
        # quoted on purpose (`论文` became `è®ºæ–‡`).
        code = code_spans(text)
        return [r for r in runs if r.clear and not any(a <= r.start < b for a, b in code)]
    return runs


_CODE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1|`[^`\n]+`", re.S | re.M)


def code_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _CODE.finditer(text)]


def looks_damaged(text: str) -> bool:
    return bool(find_damaged_runs(text))
