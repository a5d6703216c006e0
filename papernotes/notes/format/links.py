"""Links in a note's text, found and rewritten in place (every other byte kept).

    [[Note]]  [[Note|shown]]  [[Note#Heading]]  [[Note#^block]]  [[folder/Note]]  ![[pic.png]]
    [shown](Note%20B.md)  ![alt](post/pic.png)  ![alt](<a b.png> "title")

Lines inside code fences and inline code spans are skipped, as Obsidian renders them as code.
A wikilink's `|` may be written `\\|` inside a Markdown table. `linkpath` is the target without
its anchor (`#Heading`, `#^block`); for Markdown links it is percent-decoded, as Obsidian reads it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import unquote

from papernotes.notes.format.fences import lines_outside_fences

_INLINE_CODE = re.compile(r"`[^`\n]*`")
_WIKI = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_MD = re.compile(r"(!?)\[([^\[\]\n]*)\]\(\s*(<[^<>\n]*>|[^()\s]+)"  # ![text](dest
                 r"(\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")  # "title")
_HEADING_PUNCT = re.compile(r"[#|^:%\[\]\\]+")  # Obsidian drops these from heading links
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)  # http:, mailto:, data:, #anchor


@dataclass(frozen=True)
class Link:
    kind: str  # "wiki" or "md"
    embed: bool
    linkpath: str  # the target without its anchor ("" for [[#Heading]] in the same note)
    anchor: str  # after the first "#" ("Heading", "^block", "A#B"), "" if none
    display: str | None  # the text after "|" (wiki) or inside [...] (md)
    line: int  # 1-based
    start: int  # offsets in the whole text
    end: int
    raw_target: str  # as written (md: without <> and the title)

    @property
    def external(self) -> bool:
        return self.kind == "md" and bool(_EXTERNAL.match(self.raw_target))


def heading_key(text: str) -> str:
    """A heading as links name it: the characters Obsidian drops as spaces, NFC, case folded."""
    return " ".join(_HEADING_PUNCT.sub(" ", unicodedata.normalize("NFC", text).casefold()).split())


def code_free_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(1-based line, offset of the line in `text`, line with inline code blanked) for each
    line outside code fences (`fences.py`); blanking keeps every offset."""
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    for i in lines_outside_fences(lines):
        yield i + 1, starts[i], _INLINE_CODE.sub(lambda m: " " * len(m.group()), lines[i])


def split_wikilink(inner: str) -> tuple[str, str, str | None]:
    """`Note#Heading|shown` -> ("Note", "Heading", "shown")."""
    target, bar, display = inner.partition("|")
    target = target.removesuffix("\\")  # `[[Note\|shown]]` inside a table
    linkpath, _, anchor = target.partition("#")
    return linkpath.strip(), anchor.strip(), display if bar else None


def find_links(text: str) -> list[Link]:
    """Every wikilink, embed and Markdown link or image outside code, in order."""
    out: list[Link] = []
    for no, start, line in code_free_lines(text):
        for m in _WIKI.finditer(line):
            linkpath, anchor, display = split_wikilink(m.group(2))
            out.append(Link("wiki", bool(m.group(1)), linkpath, anchor, display, no,
                            start + m.start(), start + m.end(), m.group(2)))
        for m in _MD.finditer(line):
            raw = m.group(3)
            raw = raw[1:-1] if raw.startswith("<") else raw
            path, _, anchor = raw.partition("#")
            out.append(Link("md", bool(m.group(1)), unquote(path).strip(), unquote(anchor),
                            m.group(2), no, start + m.start(), start + m.end(), raw))
    return sorted(out, key=lambda link: link.start)


def rewrite_links(text: str, new: Callable[[Link], str | None]) -> tuple[str, int]:
    """`text` with each link for which `new(link)` gives a string replaced by it."""
    parts, pos, n = [], 0, 0
    for link in find_links(text):
        replacement = new(link)
        if replacement is None or link.start < pos:
            continue
        parts += [text[pos:link.start], replacement]
        pos, n = link.end, n + 1
    parts.append(text[pos:])
    return "".join(parts), n


def wikilink(linkpath: str, anchor: str = "", display: str | None = None,
             embed: bool = False) -> str:
    """The wikilink text: `[[linkpath#anchor|display]]` (`!` first for an embed)."""
    target = linkpath + (f"#{anchor}" if anchor else "")
    return ("!" if embed else "") + f"[[{target}" + (f"|{display}" if display else "") + "]]"


def md_destination(path: str) -> str:
    """A path as a Markdown link destination: the characters that would end or break it are
    percent-encoded (Obsidian decodes them); other Unicode is kept as written."""
    for ch, code in (("%", "%25"), (" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"),
                     (">", "%3E"), ("#", "%23")):
        path = path.replace(ch, code)
    return path
