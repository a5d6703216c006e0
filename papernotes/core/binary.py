"""Whether bytes are text at all: an image, a PDF or an archive named `.md` is not damaged text,
and no repair or encoding applies to it.

`binary_kind(data)` names what the bytes are (`PNG image`, `PDF document`, ...) or says
`binary data` when they hold a NUL byte or many control characters, as git decides; None for
anything that may be text in some encoding (UTF-16 with its byte-order mark included).
"""

from __future__ import annotations

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or a .docx/.xlsx/.epub)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"RIFF", "RIFF media (WebP, WAV or AVI)"),
    (b"\x7fELF", "program (ELF)"),
    (b"SQLite format 3\x00", "SQLite database"),
)
_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")
_SAMPLE = 8000  # git looks at the first 8000 bytes too
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")


def binary_kind(data: bytes) -> str | None:
    """What the bytes are when they are not text (`PNG image`, `binary data`), else None."""
    for magic, kind in _MAGIC:
        if kind is not None and data.startswith(magic):
            return kind
    if data.startswith(_BOMS):
        return None  # UTF-16/UTF-8 text with its byte-order mark
    head = data[:_SAMPLE]
    if b"\x00" in head:
        return "binary data"
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    return "binary data" if head and controls * 20 > len(head) else None


def not_text_message(kind: str) -> str:
    """The one line's message for a file that is not text."""
    return f"not a text file ({kind}): nothing to read or repair here"
