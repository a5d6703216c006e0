"""Managed regions: the only parts of a note that tools rewrite.

A region is delimited by two Obsidian comment lines (invisible in reading view):

    %% papernotes:begin ideas %%
    ...tool-owned text...
    %% papernotes:end ideas %%

Everything outside regions belongs to the user and is kept byte for byte. Markers must be a
whole line each; regions do not nest and each name appears at most once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from papernotes.core.errors import PapernotesError

_MARKER = re.compile(r"^%% papernotes:(begin|end) ([a-z][a-z0-9_-]*) %%[ \t]*\r?$")


def begin_marker(name: str) -> str:
    return f"%% papernotes:begin {name} %%"


def end_marker(name: str) -> str:
    return f"%% papernotes:end {name} %%"


@dataclass(frozen=True)
class Region:
    name: str
    start: int  # offset of the begin marker line
    body_start: int  # offset just after the begin marker line's newline
    body_end: int  # offset of the end marker line
    end: int  # offset just after the end marker line (and its newline, if any)
    line: int  # 1-based line of the begin marker


def find_regions(text: str, *, path=None) -> dict[str, Region]:
    """All managed regions of `text`, by name; a one-line error for unbalanced markers."""
    regions: dict[str, Region] = {}
    open_name: str | None = None
    open_start = open_body = open_line = 0
    offset = 0
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        m = _MARKER.match(line.rstrip("\n"))
        if m:
            kind, name = m.groups()
            if kind == "begin":
                if open_name is not None:
                    raise PapernotesError(
                        f"region '{name}' begins inside region '{open_name}' (opened at line {open_line})",
                        path=path, line=lineno, field="regions")
                if name in regions:
                    raise PapernotesError(f"region '{name}' appears twice", path=path, line=lineno,
                                          field="regions")
                open_name, open_start, open_body, open_line = name, offset, offset + len(line), lineno
            else:
                if open_name != name:
                    msg = (f"end of region '{name}' without its begin" if open_name is None
                           else f"end of region '{name}' inside region '{open_name}'")
                    raise PapernotesError(msg, path=path, line=lineno, field="regions")
                regions[name] = Region(name, open_start, open_body, offset, offset + len(line), open_line)
                open_name = None
        offset += len(line)
    if open_name is not None:
        raise PapernotesError(f"region '{open_name}' is never closed", path=path, line=open_line,
                              field="regions")
    return regions


def region_body(text: str, name: str, *, path=None) -> str | None:
    """The text between the markers of region `name`, or None if the note has no such region."""
    region = find_regions(text, path=path).get(name)
    return None if region is None else text[region.body_start:region.body_end]


def normalise_body(body: str) -> str:
    """A region body as written: ending with a newline, and with a blank line after a table
    that ends it (GFM would read the end marker as one more table row)."""
    body = body if body == "" or body.endswith("\n") else body + "\n"
    last = body.rstrip("\r\n").rsplit("\n", 1)[-1]
    if last.lstrip().startswith("|"):
        body += "\r\n" if body.endswith("\r\n") else "\n"
    return body


def wrap_region(name: str, body: str) -> str:
    """A complete region (markers and body), ending with a newline."""
    return f"{begin_marker(name)}\n{normalise_body(body)}{end_marker(name)}\n"


def replace_region(text: str, name: str, body: str, *, path=None, append: bool = True) -> str:
    """`text` with region `name`'s body replaced; all other bytes unchanged.

    If the region is missing it is appended at the end of the note (after a blank line) when
    `append` is true, else that is an error.
    """
    region = find_regions(text, path=path).get(name)
    nl = newline_of(text)
    body = body.replace("\r\n", "\n")  # then in the note's line endings, markers included
    if region is None:
        if not append:
            raise PapernotesError(f"note has no managed region '{name}'", path=path, field="regions")
        sep = "" if text == "" else ("\n" if text.endswith("\n") else "\n\n")
        return text + (sep + wrap_region(name, body)).replace("\n", nl)
    return text[:region.body_start] + normalise_body(body).replace("\n", nl) + text[region.body_end:]


def newline_of(text: str) -> str:
    """The note's line ending: "\r\n" when its first line ends so, else "\n"."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
