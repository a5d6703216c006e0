"""Note names as Obsidian has them: a note's key is its file name without `.md`.

Any name Obsidian accepts for a note is a key: Unicode, spaces, parentheses, `&`, ... Refused
are the characters Obsidian refuses in file names on some platform (`\\ / : * ? " < > |`), the
ones that break its links (`# ^ [ ]`), a leading dot (hidden files; `.` and `..`), control and
line-break characters, whitespace at either end (it does not survive a round trip through
frontmatter or a shell), and names over `MAX_NAME_BYTES` bytes of UTF-8 (file systems stop at
255 bytes; the rest is left for `.md`, backups and attachment names built from the key).
Without separators and without a leading dot a key can never leave the folder it names a
file in.

Names are compared the way Obsidian and case-insensitive file systems compare them: Unicode
NFC, case folded (`fold`).
"""

from __future__ import annotations

import re
import unicodedata

FORBIDDEN = '\\/:*?"<>|#^[]'
MAX_NAME_BYTES = 200
_BAD_CATEGORIES = ("Cc", "Cs", "Zl", "Zp")  # control, lone surrogates, line/paragraph breaks
RULES = "Obsidian refuses \\ / : * ? \" < > | # ^ [ ] and a leading dot in note names"


def fold(name: str) -> str:
    """The form two names are compared in: NFC, case folded (`SimCLR` and `simclr` are one)."""
    return unicodedata.normalize("NFC", name).casefold()


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a note name, or None if Obsidian accepts it."""
    if not name or not name.strip():
        return "a note name cannot be empty"
    bad = sorted({c for c in name if c in FORBIDDEN}, key=FORBIDDEN.index)
    if bad:
        return "a note name cannot contain " + " ".join(f"'{c}'" for c in bad)
    if any(unicodedata.category(c) in _BAD_CATEGORIES for c in name):
        return "a note name cannot contain control or line-break characters"
    if name.startswith("."):
        return "a note name cannot start with '.'"
    if name != name.strip():
        return "a note name cannot start or end with whitespace"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"a note name is at most {MAX_NAME_BYTES} bytes of UTF-8"
    return None


def check_key(key: str) -> str:
    """`key` if Obsidian accepts it as a note's file name (without `.md`); else ValueError."""
    if not isinstance(key, str):
        raise ValueError(f"invalid note key {key!r}: not text")
    problem = name_problem(key)
    if problem is not None:
        raise ValueError(f"invalid note key {key!r}: {problem} ({RULES})")
    return key


_LINKISH = re.compile(r"[\\/|]")  # separators: "Encoder/Decoder" -> "Encoder-Decoder"
_SPACES = re.compile(r"\s+")


def name_from_title(title: str) -> str:
    """The note name a title gets, as close to the title as Obsidian allows.

    `\\ / |` become `-`, the other refused characters are dropped (`BERT: Pre-training` ->
    `BERT Pre-training`), whitespace runs become one space, leading dots and trailing dots or
    spaces go (Windows drops those), and a long title is cut at a word to fit `MAX_NAME_BYTES`.
    "" when nothing is left.
    """
    text = unicodedata.normalize("NFC", title)
    text = "".join(" " if unicodedata.category(c) in _BAD_CATEGORIES else c for c in text)
    text = _LINKISH.sub("-", text)
    text = "".join(c for c in text if c not in FORBIDDEN)
    text = _SPACES.sub(" ", text).strip().lstrip(".").strip().rstrip(". ")
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        cut = text.rfind(" ", 0, len(text) - 1)
        text = text[:cut] if cut > 0 else text[:-1]
        text = text.rstrip(". ")
    return text if name_problem(text) is None else ""
