"""The one Markdown parser (markdown-it-py, CommonMark + tables), built once per process.

Helpers here read block structure from its token stream; callers take text from the source
lines the tokens point at, so the user's Markdown is kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

MD = MarkdownIt("commonmark").enable("table")


def parse_blocks(text: str) -> list[Token]:
    return MD.parse(text)


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
    """The index just after the block opened at `tokens[start]` (its matching close)."""
    level = tokens[start].level
    i = start + 1
    if not tokens[start].type.endswith("_open"):
        return i
    while i < len(tokens) and not (tokens[i].level == level and tokens[i].type.endswith("_close")):
        i += 1
    return i + 1
