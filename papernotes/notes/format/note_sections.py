"""Reading each template section of a note body into Note fields (used by `parse.parse_note`).

A reader gets the body's block tokens between its heading and the next one, and records each
field with the line it came from, so a bad value is reported at its line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from markdown_it.token import Token

from papernotes.notes.format.header import UNREADABLE, header_line, read_value
from papernotes.notes.format.markdown import (
    block_end,
    block_text,
    children,
    item_label,
    item_text,
    siblings,
    table_rows,
)
from papernotes.notes.format.placeholders import SAMPLE_DIAGRAM, filled, strip_hint
from papernotes.notes.format.section_labels import label_of
from papernotes.notes.model.cell_number import read_number, show_number
from papernotes.notes.model.mermaid import parse_mermaid

_SAMPLES = [parse_mermaid(s) for s in SAMPLE_DIAGRAM.values()]
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_LISTS = ("bullet_list_open", "ordered_list_open")


class FieldReader:
    """One parse: source lines (0-based, body-relative), the fields found, and their lines."""

    def __init__(self, body: str, line0: int, path) -> None:
        self.lines = body.replace("\r\n", "\n").split("\n")
        self.line0 = line0  # number of lines before the body
        self.path = path
        self.data: dict[str, Any] = {}
        self.where: dict[str, Any] = {}  # dotted field -> file line (or a callable giving it)
        self.header: dict[str, tuple[Any, int, str]] = {}  # header field -> (read, line, text)

    def file_line(self, body_line: int) -> int:
        return self.line0 + body_line + 1

    def put(self, dotted: str, value: Any, where: Any) -> None:
        cur = self.data
        parts = dotted.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = value
        self.where[dotted] = where

    def set(self, dotted: str, value: Any, body_line: int) -> None:
        self.put(dotted, value, self.file_line(body_line))

    def where_of(self, dotted: str) -> Any:
        """Where field `dotted` was read: a body line, or a callable giving a property's line."""
        for f, where in self.where.items():
            if dotted == f or dotted.startswith(f + "."):
                return where
        return None

    def line_of(self, dotted: str) -> int | None:
        where = self.where_of(dotted)
        return where() if callable(where) else where


def _labelled_items(tokens: list[Token], start: int, stop: int):
    """(item index, field name, rest of the label line) for items of the lists in range."""
    for j in siblings(tokens, start, stop):
        if tokens[j].type in _LISTS:
            for li in children(tokens, j):
                label, rest = item_label(tokens, li)
                yield li, label_of(label or ""), rest


def _content(tokens: list[Token], item: int) -> list[int]:
    """The child blocks of a labelled item other than its label and hint callouts."""
    return [k for k in children(tokens, item)[1:] if tokens[k].type != "blockquote_open"]


def _bullets(r: FieldReader, tokens: list[Token], item: int) -> list[tuple[str, int, int]]:
    """(own text, body line, token index) of each item of the lists nested in `item`."""
    out = []
    for k in _content(tokens, item):
        if tokens[k].type in _LISTS:
            for li in children(tokens, k):
                sub = children(tokens, li)
                stop = tokens[sub[1]].map[0] if len(sub) > 1 and tokens[sub[1]].map else None
                out.append((item_text(r.lines, tokens[li], stop), tokens[li].map[0], li))
    return out


def _filled_bullets(r, tokens, item) -> list[str]:
    """The filled-in texts nested under a labelled item; if none are nested, the plain items
    that follow it in the same list (the user's own layout puts contributions there)."""
    own = _bullets(r, tokens, item)
    if not own:
        j = block_end(tokens, item)
        while j < len(tokens) and tokens[j].type == "list_item_open":
            if item_label(tokens, j)[0] is not None:
                break
            kids = children(tokens, j)
            stop = tokens[kids[1]].map[0] if len(kids) > 1 and tokens[kids[1]].map else None
            own.append((item_text(r.lines, tokens[j], stop), 0, j))
            own += _bullets(r, tokens, j)
            j = block_end(tokens, j)
    return [t for t in (filled(x) for x, _, _ in own) if t]


def _link_target(value: str) -> str:
    """`[链接](url)` -> `url`; anything else unchanged."""
    if value.startswith("[") and "](" in value and value.endswith(")"):
        return value[value.index("](") + 2:-1].strip()
    return value


def _split_pair(text: str) -> tuple[str, str]:
    for sep in (": ", "："):
        if sep in text:
            a, b = text.split(sep, 1)
            return a.strip(), b.strip()
    return text.strip().rstrip(":："), ""


def read_header(r: FieldReader, tokens, start, stop, end_line) -> None:
    """`**日期：** ...`, `**状态：** 🟢 已精读`, `**评级：** ⭐⭐⭐` under the title, in any form the
    template shows or a user writes (`header.read_value`); each also kept in `r.header` with its
    line and text, for `parse.py` to compare with the properties."""
    for j in siblings(tokens, start, stop):
        if tokens[j].type != "paragraph_open":
            continue
        for off, line in enumerate(tokens[j + 1].content.split("\n")):
            found = header_line(line)
            if found is None or not filled(strip_hint(found[3], "")):
                continue
            name, value, at = found[0], found[3].strip(), tokens[j].map[0] + off
            read, _ = read_value(name, value)
            r.header[name] = (read, r.file_line(at), value)
            if read is not UNREADABLE:
                r.set(name, read.value if name == "status" else read, at)
            elif name != "status":
                r.set(name, value, at)  # the model says what is wrong with it, at its line


def read_metadata(r: FieldReader, tokens, start, stop, end_line) -> None:
    for j in siblings(tokens, start, stop):
        if tokens[j].type != "table_open":
            continue
        for row in table_rows(tokens, j)[1]:
            name = label_of(row.cells[0].strip("* ")) if len(row.cells) >= 2 else None
            if name is None:
                continue
            value: Any = filled(strip_hint(row.cells[1], "")).replace("<br>", "\n")
            if name in ("paper_url", "code_url"):
                value = filled(_link_target(value))
            elif name == "authors":
                value = [a.strip() for a in value.replace(";", ",").split(",") if a.strip()]
            elif name == "institutions":
                value = [a.strip() for a in value.split(";") if a.strip()]
            elif name == "tags":
                value = [t.strip("`") for t in value.split() if t.strip("`") not in ("", "...")]
            elif name == "year":  # `2020`, or the year in the user's words: `2020（CVPR）`
                found = _YEAR.search(value)
                value = int(found.group()) if found else (value or None)
            r.set(f"meta.{name}", value, row.line)


def read_abstract(r: FieldReader, tokens, start, stop, end_line) -> None:
    blocks, first_list = [], None
    for j in siblings(tokens, start, stop):
        if tokens[j].type == "bullet_list_open" and any(
                name for _, name, _ in _labelled_items(tokens, j, block_end(tokens, j))):
            first_list = j
            break
        if tokens[j].type not in ("blockquote_open", "hr"):
            blocks.append(j)
    if blocks:
        stop_line = tokens[first_list].map[0] if first_list is not None else end_line
        r.set("abstract", filled(block_text(r.lines, tokens, blocks, stop_line)),
              tokens[blocks[0]].map[0])
    for li, name, _ in _labelled_items(tokens, start, stop):
        if name == "problem":
            r.set("problem", "\n".join(_filled_bullets(r, tokens, li)), tokens[li].map[0])
        elif name == "contributions":
            r.set("contributions", _filled_bullets(r, tokens, li), tokens[li].map[0])


def read_background(r: FieldReader, tokens, start, stop, end_line) -> None:
    for li, name, _ in _labelled_items(tokens, start, stop):
        line = tokens[li].map[0]
        if name == "terms":
            terms = [_split_pair(t) for t in _filled_bullets(r, tokens, li)]
            r.set("background.terms", [{"term": t, "explanation": e} for t, e in terms], line)
        elif name == "related_work":
            works = []
            for text, at, k in _bullets(r, tokens, li):
                label, rest = item_label(tokens, k)
                if label_of(label or "") == "limitation":
                    r.set("background.limitation", filled(strip_hint(rest, "")), at)
                elif filled(text):
                    n, s = _split_pair(text)
                    lim = ""
                    for _, _, sub in _bullets(r, tokens, k):
                        sl, srest = item_label(tokens, sub)
                        if label_of(sl or "") == "limitation":
                            lim = filled(strip_hint(srest, ""))
                    works.append({"name": n, "summary": s, "limitation": lim})
            r.set("background.related_work", works, line)


def read_method(r: FieldReader, tokens, start, stop, end_line) -> None:
    for li, name, _ in _labelled_items(tokens, start, stop):
        line = tokens[li].map[0]
        if name == "core_idea":
            r.set("method.core_idea", "\n".join(_filled_bullets(r, tokens, li)), line)
        elif name == "diagram":
            for k in _content(tokens, li):
                if tokens[k].type == "fence" and tokens[k].info.strip() == "mermaid":
                    d = parse_mermaid(tokens[k].content, path=r.path,
                                      first_line=r.file_line(tokens[k].map[0] + 1))
                    r.set("method.diagram", None if d in _SAMPLES else d.model_dump(), line)
        elif name == "method_text":
            text = block_text(r.lines, tokens, _content(tokens, li), tokens[li].map[1])
            r.set("method.text", filled(text), line)


def read_results(r: FieldReader, tokens, start, stop, end_line) -> None:
    """The paper's numbers table. A value cell is the user's text, kept as written; the number
    it states (`70.1±0.2`, `~70`, `76.5 (4x)`) is read beside it, and a cell that states none
    (`N/A`, `—`) is no error: nothing needs it to be a number."""
    for j in siblings(tokens, start, stop):
        if tokens[j].type != "table_open":
            continue
        results = []
        for row in table_rows(tokens, j)[1]:
            c = [filled(x.replace("<br>", "\n")) for x in row.cells] + [""] * 7
            if not any(c[:5]):
                continue
            value, spread = read_number(c[4])
            text = "" if value is not None and c[4] == show_number(value) else c[4]
            results.append({"dataset": c[0], "protocol": c[1], "backbone": c[2], "metric": c[3],
                            "value": value, "spread": spread, "text": text, "source": c[5],
                            "note": c[6]})
        r.set("results", results, tokens[j].map[0])
        return


def read_strengths(r: FieldReader, tokens, start, stop, end_line) -> None:
    for li, name, _ in _labelled_items(tokens, start, stop):
        if name in ("strengths", "weaknesses"):
            r.set(name, _filled_bullets(r, tokens, li), tokens[li].map[0])


def read_thoughts(r: FieldReader, tokens, start, stop, end_line) -> None:
    blocks = [j for j in siblings(tokens, start, stop)
              if tokens[j].type not in ("blockquote_open", "hr")]
    if blocks:
        last = tokens[blocks[-1]].map[1]
        r.set("thoughts", filled(block_text(r.lines, tokens, blocks, last)), tokens[blocks[0]].map[0])


def read_repro(r: FieldReader, tokens, start, stop, end_line) -> None:
    for li, name, rest in _labelled_items(tokens, start, stop):
        stem = Path(_link_target(rest)).name
        if name == "repro" and filled(rest) and stem.endswith((".yaml", ".yml")):
            r.set("repro", stem.rsplit(".", 1)[0], tokens[li].map[0])


READERS: dict[str, Callable[..., None]] = {
    "title": read_header,
    "metadata": read_metadata,
    "abstract": read_abstract,
    "background": read_background,
    "method": read_method,
    "results": read_results,
    "strengths": read_strengths,
    "thoughts": read_thoughts,
    "repro": read_repro,
}
