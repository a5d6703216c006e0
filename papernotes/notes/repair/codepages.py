"""The single-byte code pages a UTF-8 document can have been misread through, and the damage.

The damage, exactly: take the UTF-8 bytes of a text; decode each byte with a code page, where
the bytes that page leaves undefined are dropped, and so is every soft hyphen (0xAD, an
invisible character editors strip); the result is saved again as UTF-8. Through Windows-1252
`论文` becomes `è®ºæ–‡`; through Windows-1254 `0xD0 0xDD 0xDE 0xF0 0xFD 0xFE` read as
`Ğ İ Ş ğ ı ş` and `0x8E 0x9E` are lost as well.

Undefined bytes are Python's codecs' (`bytes([b]).decode(page)` fails). ISO-8859-1 defines no
characters at 0x80-0x9F: Python maps them to the C1 control characters, which an editor may
keep (then nothing but the soft hyphen is lost) or strip (then all 32 are lost); both are
modelled, and a document that still holds a C1 control shows they were kept.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import lru_cache

SOFT_HYPHEN = 0xAD
_C1 = frozenset(range(0x80, 0xA0))


@dataclass(frozen=True)
class CodePage:
    """One code page: what each byte 0x80-0xFF reads as, and which continuation bytes a
    damaged text may have lost through it."""

    name: str  # Python's codec name
    label: str  # as a person names it
    to_byte: dict[str, int]  # character -> the byte it stands for (bytes 0x80-0xFF)
    lost: frozenset[int]  # continuation bytes (0x80-0xBF) that can be missing
    droppable: frozenset[int]  # bytes that are lost only when the text shows none of them

    @property
    def to_char(self) -> dict[int, str]:
        return {b: c for c, b in self.to_byte.items()}

    @property
    def run_re(self) -> re.Pattern:
        return _run_re(self.name)

    def lost_in(self, text: str) -> frozenset[int]:
        """The lost-byte candidates for one document: a droppable class of bytes whose
        characters still occur in it was kept, so it is no candidate there."""
        out = set(self.lost)
        present = {self.to_byte[c] for c in _chars(text) if c in self.to_byte}
        for group in (frozenset({SOFT_HYPHEN}), self.droppable - {SOFT_HYPHEN}):
            if group and present & group:
                out -= group
        return frozenset(out)


@functools.lru_cache(maxsize=4)
def _chars(text: str) -> frozenset[str]:
    """The characters of `text`, once per text (every page asks; a 5 MB note took 1.5 s)."""
    return frozenset(text)


def _make(name: str, label: str) -> CodePage:
    to_byte: dict[str, int] = {}
    undefined: set[int] = set()
    for b in range(0x80, 0x100):
        try:
            to_byte[bytes([b]).decode(name)] = b
        except UnicodeDecodeError:
            undefined.add(b)
    droppable = {SOFT_HYPHEN}
    if name == "latin-1":
        droppable |= _C1  # C1 controls: kept by Python's codec, stripped by many editors
    lost = frozenset(b for b in undefined | droppable if 0x80 <= b <= 0xBF)
    return CodePage(name, label, to_byte, lost, frozenset(droppable))


# In the order a tie is broken: the most common misreading first.
PAGES: dict[str, CodePage] = {p.name: p for p in (
    _make("cp1252", "Windows-1252"),
    _make("cp1254", "Windows-1254"),
    _make("cp1250", "Windows-1250"),
    _make("cp1251", "Windows-1251"),
    _make("cp1253", "Windows-1253"),
    _make("cp1255", "Windows-1255"),
    _make("cp1256", "Windows-1256"),
    _make("cp1257", "Windows-1257"),
    _make("cp1258", "Windows-1258"),
    _make("latin-1", "Latin-1"),
)}

ALIASES = {"windows-1252": "cp1252", "latin1": "latin-1", "iso-8859-1": "latin-1",
           **{f"windows-{n}": f"cp{n}" for n in range(1250, 1259)}}


def page(name: str) -> CodePage:
    key = name.lower()
    return PAGES[ALIASES.get(key, key)]


@lru_cache(maxsize=None)
def _run_re(name: str) -> re.Pattern:
    chars = "".join(re.escape(c) for c in sorted(PAGES[name].to_byte))
    return re.compile(f"[{chars}]+")


def damage(text: str, codepage: str = "cp1252", *, keep: frozenset[int] | set[int] = frozenset()
           ) -> str:
    """Apply the damage once through `codepage` (the exact procedure; for tests and the
    bench). Bytes in `keep` survive even if droppable (`keep={0xAD}`: soft hyphens kept, so
    through Windows-1252 only undefined bytes are lost; Latin-1 with its C1 controls and
    soft hyphens kept loses nothing)."""
    p = page(codepage)
    to_char = p.to_char
    gone = (set(range(0x80, 0x100)) - set(to_char)) | (p.droppable - set(keep))
    out = []
    for b in text.encode("utf-8"):
        if b < 0x80:
            out.append(chr(b))
        elif b not in gone:
            out.append(to_char[b])
    return "".join(out)
