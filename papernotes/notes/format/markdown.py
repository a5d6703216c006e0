"""The one Markdown parser (markdown-it-py, CommonMark + tables), built once per process.

Only the block structure is needed (headings, lists, tables, fences, quotes, with their line
ranges), so inline parsing is switched off: field text is taken from the source lines the blocks
cover, which keeps the user's Markdown as written and is about twice as fast.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

MD = MarkdownIt("commonmark").enable("table")
MD.disable("inline")  # the core rule that would parse every paragraph's inline content


def parse_blocks(text: str) -> list[Token]:
    """Block tokens of `text`; each opening token's `meta["end"]` is the index after its close."""
    tokens = MD.parse(text)
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.nesting == 1:
            stack.append(i)
        elif tok.nesting == -1 and stack:
            tokens[stack.pop()].meta["end"] = i + 1
    return tokens


@dataclass(frozen=True)
class Row:
    cells: list[str]
    line: int  # 0-based line in the parsed text


def table_rows(tokens: list[Token], start: int) -> tuple[list[str], list[Row], int]:
    """The header cells and body rows of the table opened at `tokens[start]`, and the index after it."""
    header: list[str] = []
    rows: list[Row] = []
    cur: list[str] | None = None
    cur_line = 0
    in_head = False
    i = start + 1
    while i < len(tokens) and tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            cur, cur_line = [], tok.map[0] if tok.map else 0
        elif tok.type == "tr_close" and cur is not None:
            if in_head:
                header = cur
            else:
                rows.append(Row(cur, cur_line))
            cur = None
        elif tok.type == "inline" and cur is not None:
            cur.append(tok.content.strip())
        i += 1
    return header, rows, i + 1


def block_end(tokens: list[Token], start: int) -> int:
    """The index just after the block starting at `tokens[start]` (after its matching close)."""
    tok = tokens[start]
    if tok.nesting != 1:
        return start + 1
    end = tok.meta.get("end")
    if end is not None:
        return end
    level = tokens[start].level
    i = start + 1
    while i < len(tokens) and not (tokens[i].level == level and tokens[i].type.endswith("_close")):
        i += 1
    return i + 1


def siblings(tokens: list[Token], start: int, stop: int) -> list[int]:
    """Indexes of the blocks that start at `start` and follow each other up to `stop`."""
    out, j = [], start
    while j < stop:
        out.append(j)
        j = block_end(tokens, j)
    return out


def children(tokens: list[Token], i: int) -> list[int]:
    """Indexes of the direct child blocks of the block opened at `tokens[i]`."""
    return siblings(tokens, i + 1, block_end(tokens, i) - 1)


def item_label(tokens: list[Token], item: int) -> tuple[str | None, str]:
    """A list item's bold label (`- **核心思想：** rest`) and the rest of that paragraph."""
    kids = children(tokens, item)
    if not kids or tokens[kids[0]].type != "paragraph_open":
        return None, ""
    content = tokens[kids[0] + 1].content
    if content.startswith("**"):
        end = content.find("**", 2)
        if end > 2:
            return content[2:end].strip(), content[end + 2:].strip()
    return None, content.strip()


def item_text(lines: list[str], tok: Token, end_line: int | None = None) -> str:
    """A list item's own text: its marker stripped, continuation lines dedented."""
    start, end = tok.map
    end = end if end_line is None else end_line
    first = lines[start]
    marker = len(first) - len(first.lstrip()) + len(tok.markup) + len(tok.info or "")
    rest = first[marker:]
    col = marker + len(rest) - len(rest.lstrip(" ")) if rest.strip() else marker + 1
    body = [first[col:]] + [ln[col:] if ln[:col].strip() == "" else ln.lstrip()
                            for ln in lines[start + 1:end]]
    return "\n".join(body).strip()


def block_text(lines: list[str], tokens: list[Token], blocks: list[int], end_line: int) -> str:
    """The source from the first of `blocks` up to `end_line`, dedented."""
    if not blocks:
        return ""
    return textwrap.dedent("\n".join(lines[tokens[blocks[0]].map[0]:end_line])).strip()
