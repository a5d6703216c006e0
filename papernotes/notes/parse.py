"""Markdown to Note: read a paper note (ours or the user's template) back into the model.

markdown-it-py gives the block structure (headings, lists, tables, fences, with line ranges);
field text is taken from the source lines those blocks cover, so the user's Markdown is kept
as written. Placeholders read as empty. Sections the user added are kept in `ParsedNote.sections`.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it.token import Token
from pydantic import ValidationError

from papernotes.errors import PapernotesError
from papernotes.notes.frontmatter import Frontmatter, plain, split_frontmatter
from papernotes.notes.ideas import parse_ideas
from papernotes.notes.markdown import block_end, parse_blocks, table_rows
from papernotes.notes.mermaid import parse_mermaid
from papernotes.notes.placeholders import filled, strip_hint
from papernotes.notes.properties import PROPERTY_FIELDS, unwikilink
from papernotes.notes.regions import Region, find_regions
from papernotes.notes.render import SAMPLE_DIAGRAM
from papernotes.notes.schema import STATUS_LABELS, Note
from papernotes.notes.section_labels import LABELS, SECTION_TITLES, ZH_MARKERS, label_of


@dataclass(frozen=True)
class Section:
    title: str  # heading text as written
    kind: str  # "metadata", "abstract", ... or "user" for a section the user added
    level: int
    line: int  # 1-based file line of the heading
    end_line: int  # 1-based file line after the section's last line


@dataclass(frozen=True)
class ParsedNote:
    note: Note
    text: str
    path: Path | None = None
    frontmatter: Frontmatter | None = None
    sections: list[Section] = field(default_factory=list)
    regions: dict[str, Region] = field(default_factory=dict)

    def section(self, kind: str) -> Section | None:
        return next((s for s in self.sections if s.kind == kind), None)


class _Reader:
    """State for one parse: source lines (0-based, body-relative) and where each field came from."""

    def __init__(self, body: str, line0: int, path) -> None:
        self.lines = body.replace("\r\n", "\n").split("\n")
        self.line0 = line0  # file line of body line 0, minus 1
        self.path = path
        self.data: dict[str, Any] = {}
        self.where: dict[str, int] = {}  # dotted field -> file line

    def file_line(self, body_line: int) -> int:
        return self.line0 + body_line + 1

    def set(self, dotted: str, value: Any, body_line: int) -> None:
        cur = self.data
        parts = dotted.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = value
        self.where[dotted] = self.file_line(body_line)

    def src(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start:end])


def _item_text(r: _Reader, tok: Token, end_line: int | None = None) -> str:
    """A list item's own text: its marker stripped, continuation lines dedented."""
    start, end = tok.map
    end = end if end_line is None else end_line
    first = r.lines[start]
    stripped = first.lstrip()
    marker = len(first) - len(stripped) + len(tok.markup) + (len(tok.info) if tok.info else 0)
    rest = first[marker:]
    col = marker + len(rest) - len(rest.lstrip(" ")) if rest.strip() else marker + 1
    body = [first[col:]] + [ln[col:] if ln[:col].strip() == "" else ln.lstrip()
                            for ln in r.lines[start + 1:end]]
    return "\n".join(body).strip()


def _children(tokens: list[Token], i: int) -> list[int]:
    """Indexes of the direct child blocks of the block opened at `tokens[i]`."""
    out, j, end = [], i + 1, block_end(tokens, i) - 1
    while j < end:
        out.append(j)
        j = block_end(tokens, j)
    return out


def _label(tokens: list[Token], item: int) -> tuple[str | None, str]:
    """The bold label starting a list item's first paragraph, and the rest of that line."""
    kids = _children(tokens, item)
    if not kids or tokens[kids[0]].type != "paragraph_open":
        return None, ""
    inline = tokens[kids[0] + 1]
    c = [t for t in inline.children or [] if not (t.type == "text" and t.content == "")]
    if len(c) >= 3 and c[0].type == "strong_open" and c[2].type == "strong_close":
        head = inline.content
        after = head[len(c[1].content) + 4:] if head.startswith("**") else ""
        return c[1].content.strip(), after.strip()
    return None, inline.content.strip()


def _content(r: _Reader, tokens: list[Token], item: int) -> list[int]:
    """The child blocks of a labelled item other than its label and its hint callouts."""
    return [k for k in _children(tokens, item)[1:] if tokens[k].type != "blockquote_open"]


def _bullets(r: _Reader, tokens: list[Token], item: int) -> list[tuple[str, int, int]]:
    """(text, line, token index) of each item of the nested list(s) in a labelled item."""
    out = []
    for k in _content(r, tokens, item):
        if tokens[k].type in ("bullet_list_open", "ordered_list_open"):
            for li in _children(tokens, k):
                sub = _children(tokens, li)
                stop = tokens[sub[1]].map[0] if len(sub) > 1 and tokens[sub[1]].map else None
                out.append((_item_text(r, tokens[li], stop), tokens[li].map[0], li))
    return out


def _block_text(r: _Reader, tokens: list[Token], blocks: list[int], end_line: int) -> str:
    if not blocks:
        return ""
    start = tokens[blocks[0]].map[0]
    return textwrap.dedent(r.src(start, end_line)).strip()


def parse_note(text: str, *, path=None, key: str | None = None) -> ParsedNote:
    """Parse a note; a one-line PapernotesError (file:line, field) for anything malformed."""
    fm = split_frontmatter(text, path=path)
    start = fm.end if fm else 0
    line0 = text.count("\n", 0, start)
    regions = find_regions(text, path=path)
    r = _Reader(text[start:], line0, path)
    tokens = parse_blocks(text[start:])
    lang = "zh" if any(m in text for m in ZH_MARKERS) else "en"
    r.data["lang"] = lang
    sections = _walk(r, tokens, regions)
    ideas = regions.get("ideas")
    if ideas is not None:
        r.data["ideas"] = parse_ideas(text[ideas.body_start:ideas.body_end], path=path,
                                      first_line=ideas.line + 1)
    if fm is not None:
        _apply_properties(r, fm)
    r.data["key"] = key or (Path(path).stem if path else r.data.get("key", "note"))
    try:
        note = Note.model_validate(r.data)
    except ValidationError as exc:
        e = exc.errors()[0]
        dotted = ".".join(str(p) for p in e["loc"] if not isinstance(p, int))
        line = next((ln for f, ln in r.where.items() if dotted.startswith(f)), None)
        raise PapernotesError(e["msg"], path=path, line=line, field=dotted) from None
    return ParsedNote(note, text, Path(path) if path else None, fm, sections, regions)


def _apply_properties(r: _Reader, fm: Frontmatter) -> None:
    for prop, dotted in PROPERTY_FIELDS.items():
        if prop not in fm.data:
            continue
        value = plain(fm.data[prop])
        line = (fm.line_of(prop) or 1) - r.line0 - 1
        if prop == "related":
            value = [unwikilink(v) for v in value or []]
        elif prop == "status" and isinstance(value, str):
            value = {lbl: s.value for t in STATUS_LABELS.values() for s, lbl in t.items()}.get(
                value, value)
        elif prop in ("aliases", "tags", "authors"):
            value = [] if value in (None, "") else value
            if isinstance(value, str):
                value = [value]
        elif prop == "date" and value is None:
            continue
        elif value is None and prop in ("title", "venue", "code"):
            value = ""
        r.set(dotted, value, line)


def _walk(r: _Reader, tokens: list[Token], regions: dict[str, Region]) -> list[Section]:
    heads = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0]
    sections: list[Section] = []
    for n, i in enumerate(heads):
        tok, title = tokens[i], tokens[i + 1].content.strip()
        nxt = heads[n + 1] if n + 1 < len(heads) else len(tokens)
        end_line = tokens[nxt].map[0] if nxt < len(tokens) else len(r.lines)
        level = int(tok.tag[1])
        if level == 1:
            kind = "title"
            for prefix in ("论文阅读笔记：", "Paper note:"):
                if title.startswith(prefix):
                    r.set("meta.title", filled(title[len(prefix):]), tok.map[0])
        else:
            kind = SECTION_TITLES.get(title, "user") if level == 2 else "user"
        sections.append(Section(title, kind, level, r.file_line(tok.map[0]), r.file_line(end_line)))
        reader = _SECTION_READERS.get(kind)
        if reader is not None:
            reader(r, tokens, i + 3, nxt, end_line)
    return sections


def _top(tokens: list[Token], start: int, stop: int) -> list[int]:
    out, j = [], start
    while j < stop:
        out.append(j)
        j = block_end(tokens, j)
    return out


def _read_header(r: _Reader, tokens, start, stop, end_line) -> None:
    for j in _top(tokens, start, stop):
        if tokens[j].type != "paragraph_open":
            continue
        for off, line in enumerate(tokens[j + 1].content.split("\n")):
            at = tokens[j].map[0] + off
            for name in ("date", "status", "rating"):
                for lbl in LABELS[name]:
                    if line.startswith(lbl):
                        _header_field(r, name, line[len(lbl):].strip(), at)


def _header_field(r: _Reader, name: str, value: str, at: int) -> None:
    if name == "date":
        if filled(value):
            r.set("date", value, at)
    elif name == "status":
        for table in STATUS_LABELS.values():
            for status, lbl in table.items():
                if value.startswith(lbl):
                    r.set("status", status.value, at)
    else:
        stars = value.count("⭐")
        r.set("rating", stars or None, at)


def _read_metadata(r: _Reader, tokens, start, stop, end_line) -> None:
    for j in _top(tokens, start, stop):
        if tokens[j].type != "table_open":
            continue
        _, rows, _ = table_rows(tokens, j)
        for row in rows:
            if len(row.cells) < 2:
                continue
            name = label_of(row.cells[0].strip("* "))
            value = filled(strip_hint(row.cells[1], r.data["lang"]))
            if name is None:
                continue
            value = value.replace("<br>", "\n")
            if name in ("paper_url", "code_url"):
                value = _link_target(tokens, row, value)
            elif name == "authors":
                value = [a.strip() for a in value.replace(";", ",").split(",") if a.strip()]
            elif name == "institutions":
                value = [a.strip() for a in value.split(";") if a.strip()]
            elif name == "tags":
                value = [t.strip("`") for t in value.split() if t.strip("`") not in ("", "...")]
            elif name == "year":
                value = value or None
            r.set(f"meta.{name}", value, row.line)


def _link_target(tokens, row, value: str) -> str:
    # `[链接](url)`: the target is what the link points at
    if value.startswith("[") and "](" in value and value.endswith(")"):
        return value[value.index("](") + 2:-1].strip()
    return value


def _labelled_items(tokens, start, stop):
    for j in _top(tokens, start, stop):
        if tokens[j].type in ("bullet_list_open", "ordered_list_open"):
            for li in _children(tokens, j):
                label, rest = _label(tokens, li)
                yield li, label_of(label or ""), rest


def _read_abstract(r: _Reader, tokens, start, stop, end_line) -> None:
    blocks = []
    first_list = None
    for j in _top(tokens, start, stop):
        if tokens[j].type == "bullet_list_open" and any(
                name for _, name, _ in _labelled_items(tokens, j, block_end(tokens, j))):
            first_list = j
            break
        if tokens[j].type not in ("blockquote_open", "hr"):
            blocks.append(j)
    if blocks:
        stop_line = tokens[first_list].map[0] if first_list is not None else end_line
        r.set("abstract", filled(_block_text(r, tokens, blocks, stop_line)), tokens[blocks[0]].map[0])
    for li, name, _ in _labelled_items(tokens, start, stop):
        items = [(filled(t), ln) for t, ln, _ in _bullets(r, tokens, li)]
        items = [(t, ln) for t, ln in items if t]
        line = tokens[li].map[0]
        if name == "problem":
            r.set("problem", "\n".join(t for t, _ in items), line)
        elif name == "contributions":
            r.set("contributions", [t for t, _ in items], line)


def _split_pair(text: str) -> tuple[str, str]:
    for sep in (": ", "："):
        if sep in text:
            a, b = text.split(sep, 1)
            return a.strip(), b.strip()
    return text.strip().rstrip(":："), ""


def _read_background(r: _Reader, tokens, start, stop, end_line) -> None:
    for li, name, _ in _labelled_items(tokens, start, stop):
        line = tokens[li].map[0]
        if name == "terms":
            terms = []
            for text, _, _ in _bullets(r, tokens, li):
                if filled(text):
                    t, e = _split_pair(text)
                    terms.append({"term": t, "explanation": e})
            r.set("background.terms", terms, line)
        elif name == "related_work":
            works = []
            for text, ln, k in _bullets(r, tokens, li):
                label, rest = _label(tokens, k)
                if label_of(label or "") == "limitation":
                    r.set("background.limitation", filled(strip_hint(rest, "")), ln)
                    continue
                if not filled(text):
                    continue
                n, s = _split_pair(text)
                lim = ""
                for _, _, sub in _sub_items(r, tokens, k):
                    sl, srest = _label(tokens, sub)
                    if label_of(sl or "") == "limitation":
                        lim = filled(strip_hint(srest, ""))
                works.append({"name": n, "summary": s, "limitation": lim})
            r.set("background.related_work", works, line)


def _sub_items(r: _Reader, tokens, item: int):
    for k in _children(tokens, item)[1:]:
        if tokens[k].type == "bullet_list_open":
            for li in _children(tokens, k):
                yield _item_text(r, tokens[li]), tokens[li].map[0], li


def _read_method(r: _Reader, tokens, start, stop, end_line) -> None:
    for li, name, _ in _labelled_items(tokens, start, stop):
        line = tokens[li].map[0]
        if name == "core_idea":
            r.set("method.core_idea", "\n".join(filled(t) for t, _, _ in _bullets(r, tokens, li)
                                                if filled(t)), line)
        elif name == "diagram":
            for k in _content(r, tokens, li):
                if tokens[k].type == "fence" and tokens[k].info.strip() == "mermaid":
                    src = tokens[k].content
                    first = r.file_line(tokens[k].map[0] + 1)
                    d = parse_mermaid(src, path=r.path, first_line=first)
                    samples = [parse_mermaid(s) for s in SAMPLE_DIAGRAM.values()]
                    r.set("method.diagram", None if d in samples else d.model_dump(), line)
        elif name == "method_text":
            blocks = _content(r, tokens, li)
            r.set("method.text", filled(_block_text(r, tokens, blocks, tokens[li].map[1])), line)


def _read_results(r: _Reader, tokens, start, stop, end_line) -> None:
    for j in _top(tokens, start, stop):
        if tokens[j].type != "table_open":
            continue
        _, rows, _ = table_rows(tokens, j)
        results = []
        for row in rows:
            c = [filled(x.replace("<br>", "\n")) for x in row.cells] + [""] * 7
            if not any(c[:5]):
                continue
            try:
                value = float(c[4].rstrip("%"))
            except ValueError:
                raise PapernotesError(f"not a number: {c[4]!r}", path=r.path,
                                      line=r.file_line(row.line), field="results.value") from None
            results.append({"dataset": c[0], "protocol": c[1], "backbone": c[2], "metric": c[3],
                            "value": value, "source": c[5], "note": c[6]})
        r.set("results", results, tokens[j].map[0])
        return


def _read_lists(r: _Reader, tokens, start, stop, end_line) -> None:
    for li, name, _ in _labelled_items(tokens, start, stop):
        if name in ("strengths", "weaknesses"):
            r.set(name, [filled(t) for t, _, _ in _bullets(r, tokens, li) if filled(t)],
                  tokens[li].map[0])


def _read_thoughts(r: _Reader, tokens, start, stop, end_line) -> None:
    blocks = [j for j in _top(tokens, start, stop) if tokens[j].type not in ("blockquote_open", "hr")]
    if blocks:
        last = tokens[blocks[-1]].map[1]
        r.set("thoughts", filled(_block_text(r, tokens, blocks, last)), tokens[blocks[0]].map[0])


def _read_repro(r: _Reader, tokens, start, stop, end_line) -> None:
    for li, name, rest in _labelled_items(tokens, start, stop):
        if name == "repro":
            target = _link_target(tokens, None, rest)
            stem = Path(target).name
            if filled(rest) and stem.endswith((".yaml", ".yml")):
                r.set("repro", stem.rsplit(".", 1)[0], tokens[li].map[0])


_SECTION_READERS = {
    "title": _read_header,
    "metadata": _read_metadata,
    "abstract": _read_abstract,
    "background": _read_background,
    "method": _read_method,
    "results": _read_results,
    "strengths": _read_lists,
    "thoughts": _read_thoughts,
    "repro": _read_repro,
}
