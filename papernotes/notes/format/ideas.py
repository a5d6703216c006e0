"""The `ideas` managed region: the idea-patching log as readable Markdown, and back.

    **要点 (Points)**

    1. Mask more patches: less redundancy, a harder task

    **补丁 (Patches)**

    | # | 要点 | 类型 | 状态 | 补丁 | 假设 | 成本 | 结果 | 复现 | 运行 | 故事线 |
    | --: | --: | :-- | ... |
    | 1 | 1 | augmentation | idea | ... |

Newlines are written `<br>`, and `|` in cells `\\|`; a literal `<br>` typed in a text is written
`\\<br>` (a backslash before it doubled), as Markdown itself escapes it. `render_ideas(parse_ideas(b))
== b` for every body this module renders.
"""

from __future__ import annotations

import re
import string

from pydantic import ValidationError

from papernotes.errors import PapernotesError
from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchKind, PatchStatus, Point
from papernotes.notes.format.markdown import parse_blocks, table_rows

_TEXT = {
    "zh": {
        "points": "**要点 (Points)**",
        "patches": "**补丁 (Patches)**",
        "no_points": "(暂无要点)",
        "no_patches": "(暂无补丁)",
        "header": ["#", "要点", "类型", "状态", "补丁", "假设", "成本", "结果", "复现", "运行", "故事线"],
    },
    "en": {
        "points": "**Points**",
        "patches": "**Patches**",
        "no_points": "(no points yet)",
        "no_patches": "(no patches yet)",
        "header": ["#", "point", "kind", "status", "patch", "hypothesis", "cost", "result", "repro",
                   "run", "story"],
    },
}
_EMPTY = {t[k] for t in _TEXT.values() for k in ("no_points", "no_patches")}
_NCOL = 11
_PUNCT = frozenset(string.punctuation)


def _cell(text: str | None) -> str:
    return _line(text).replace("|", "\\|")


_BR = re.compile(r"(\\*)<br>")
_NEWLINE = re.compile(r"(\\*)(\r?\n)")


def _line(text: str | None) -> str:
    """One line of Markdown: a literal `<br>` after k backslashes becomes 2k+1 backslashes and
    `<br>`, a newline after k backslashes 2k backslashes and `<br>` (undone by `_unline`)."""
    text = _BR.sub(lambda m: "\\" * (2 * len(m[1]) + 1) + "<br>", text or "")
    return _NEWLINE.sub(lambda m: "\\" * (2 * len(m[1])) + "<br>", text)


def _unline(text: str) -> str:
    return _BR.sub(lambda m: "\\" * (len(m[1]) // 2) + ("<br>" if len(m[1]) % 2 else "\n"), text)


def _point(text: str) -> str:
    """A point's text as a list item: a leading digit or punctuation is backslash-escaped, so
    `> x`, `# x`, `1. x` stay text instead of becoming a quote, heading or nested list."""
    t = _line(text)
    return "\\" + t if t[:1] in _PUNCT or t[:1].isdigit() else t


def _unpoint(text: str) -> str:
    if text[:1] == "\\" and (text[1:2] in _PUNCT or text[1:2].isdigit()):
        text = text[1:]
    return _uncell(text)


def _uncell(text: str) -> str:
    # markdown-it already turned `\|` into `|`; undo the rest of `_cell`
    return _unline(text)


def render_ideas(log: IdeaLog, lang: str = "zh") -> str:
    """The body of the `ideas` region (ends with a newline)."""
    t = _TEXT.get(lang, _TEXT["zh"])
    out = [t["points"], ""]
    if log.points:
        out += [f"{p.id}. {_point(p.text)}" for p in log.points]
    else:
        out.append(t["no_points"])
    out += ["", t["patches"], ""]
    if log.patches:
        out.append("| " + " | ".join(t["header"]) + " |")
        out.append("| " + " | ".join(["--:", "--:"] + [":--"] * (_NCOL - 2)) + " |")
        for p in log.patches:
            cells = [str(p.id), str(p.point or ""), p.kind.value, p.status.value, p.text,
                     p.hypothesis, p.cost, p.result, p.repro or "", p.run_id or "", p.story]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    else:
        out.append(t["no_patches"])
    return "\n".join(out) + "\n"


def _err(msg: str, path, line: int, field: str = "ideas") -> PapernotesError:
    return PapernotesError(msg, path=path, line=line, field=field)


def _int(text: str, *, path, line: int, field: str) -> int | None:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise _err(f"expected a number, found {text!r}", path, line, field) from None


def parse_ideas(body: str, *, path=None, first_line: int = 1) -> IdeaLog:
    """The idea log in a region body; `first_line` is the file line of the body's first line."""
    tokens = parse_blocks(body)
    points: list[Point] = []
    patches: list[Patch] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = first_line + (tok.map[0] if tok.map else 0)
        if tok.type == "list_item_open" and tok.markup in (".", ")"):
            inline = next(t for t in tokens[i:] if t.type == "inline")
            try:
                points.append(Point(id=int(tok.info), text=_unpoint(inline.content)))
            except (ValueError, ValidationError):
                raise _err(f"bad point {tok.info}. {inline.content!r}", path, line,
                           "ideas.points") from None
        elif tok.type == "table_open":
            header, rows, i = table_rows(tokens, i)
            if len(header) != _NCOL:
                raise _err(f"patch table needs {_NCOL} columns, found {len(header)}", path, line,
                           "ideas.patches")
            for row in rows:
                patches.append(_patch(row.cells, path=path, line=first_line + row.line))
            continue
        i += 1
    ids = [p.id for p in points]
    if len(set(ids)) != len(ids):
        raise _err("duplicate point number", path, first_line, "ideas.points")
    return IdeaLog(points=points, patches=patches)


def _patch(cells: list[str], *, path, line: int) -> Patch:
    c = [_uncell(x) for x in cells] + [""] * (_NCOL - len(cells))
    pid = _int(c[0], path=path, line=line, field="ideas.patches.id")
    point = _int(c[1], path=path, line=line, field="ideas.patches.point")
    try:
        kind = PatchKind(c[2] or "other")
        status = PatchStatus(c[3] or "idea")
    except ValueError as exc:
        raise _err(str(exc), path, line, "ideas.patches") from None
    try:
        return Patch(id=pid or 0, point=point, kind=kind, status=status, text=c[4], hypothesis=c[5],
                     cost=c[6], result=c[7], repro=c[8] or None, run_id=c[9] or None, story=c[10])
    except ValidationError as exc:
        e = exc.errors()[0]
        raise _err(e["msg"], path, line, "ideas.patches." + ".".join(map(str, e["loc"]))) from None
