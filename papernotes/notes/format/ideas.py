"""The `ideas` managed region: the idea-patching log as readable Markdown, and back.

    **要点 (Points)**

    1. Mask more patches: less redundancy, a harder task

    **补丁 (Patches)**

    | # | 要点 | 类型 | 状态 | 补丁 | 假设 | 成本 | 结果 | 复现 | 运行 | 故事线 |
    | --: | --: | :-- | ... |
    | 1 | 1 | augmentation | refuted | ... |

    **实验 (Experiments)**

    | # | 配置 | 改动 | 预期 | 基线 | 补丁 | 差值 [95% CI] | N | 还需种子 | 父运行 |
    | 1 | demo | `aug.color_strength=0.25` | eval/linear_top1 <= -1 | 30.12 ± 0.40 | ... |

    **故事线 (Story):** NAME      (then a table and a mermaid chain: ideas_story.py)

The experiments table (`ideas_experiments.py`) has a row for each patch that defines an
experiment or carries a verdict; it is edited like the patch table. A story's table and chain are
derived from the patches and re-rendered on every write; only the thread names are read back.
Cells are one line of Markdown each (`ideas_cells.py`: `<br>` for a newline, `\\|` for `|`).
`render_ideas(parse_ideas(b)) == b` for every body this module renders.
"""

from __future__ import annotations

from pydantic import ValidationError

from papernotes.core.errors import NoteProblems, PapernotesError, problems_of
from papernotes.notes.format import ideas_experiments as experiments_table
from papernotes.notes.format.ideas_cells import cell_error, int_cell, point_item, table, uncell, unpoint
from papernotes.notes.format.ideas_story import STORY_LABELS, is_empty_thread, render_story
from papernotes.notes.format.markdown import parse_blocks, table_rows
from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchKind, PatchStatus, Point

_TEXT = {
    "zh": {
        "points": "**要点 (Points)**",
        "patches": "**补丁 (Patches)**",
        "experiments": "**实验 (Experiments)**",
        "no_points": "(暂无要点)",
        "no_patches": "(暂无补丁)",
        "header": ["#", "要点", "类型", "状态", "补丁", "假设", "成本", "结果", "复现", "运行", "故事线"],
        "exp_header": ["#", "配置", "改动", "预期", "基线", "补丁", "差值 [95% CI]", "N", "还需种子",
                       "父运行"],
    },
    "en": {
        "points": "**Points**",
        "patches": "**Patches**",
        "experiments": "**Experiments**",
        "no_points": "(no points yet)",
        "no_patches": "(no patches yet)",
        "header": ["#", "point", "kind", "status", "patch", "hypothesis", "cost", "result", "repro",
                   "run", "story"],
        "exp_header": ["#", "profile", "set", "expect", "baseline", "patch", "difference [95% CI]",
                       "N", "seeds to settle", "parent run"],
    },
}
_SECTIONS = {t[k]: k for t in _TEXT.values() for k in ("points", "patches", "experiments")}
_NCOL = 11


def render_ideas(log: IdeaLog, lang: str = "zh") -> str:
    """The body of the `ideas` region (ends with a newline)."""
    t = _TEXT.get(lang, _TEXT["zh"])
    out = [t["points"], ""]
    if log.points:
        out += [f"{p.id}. {point_item(p.text)}" for p in log.points]
    else:
        out.append(t["no_points"])
    out += ["", t["patches"], ""]
    if log.patches:
        out += table(t["header"], [[str(p.id), str(p.point or ""), p.kind.value, p.status.value,
                                     p.text, p.hypothesis, p.cost, p.result, p.repro or "",
                                     p.run_id or "", p.story] for p in log.patches], 2)
    else:
        out.append(t["no_patches"])
    experiments = [p for p in log.patches if p.has_experiment]
    if experiments:
        out += ["", t["experiments"], ""]
        out += table(t["exp_header"], [experiments_table.experiment_cells(p) for p in experiments], 1)
    for name in log.stories:
        out += ["", *render_story(log, name, lang)]
    return "\n".join(out) + "\n"


_FIXED = frozenset(t[k] for t in _TEXT.values() for k in ("no_points", "no_patches"))


def fixed_line(content: str) -> bool:
    """Whether a paragraph of the region is one of its own fixed lines in either language: a
    section's bold label (`**实验 (Experiments)**`, `**Story:** NAME`) or `(暂无补丁)`."""
    content = content.strip()
    return content in _FIXED or _heading(content) is not None or is_empty_thread(content)


def _heading(content: str) -> tuple[str, str | None] | None:
    """("points"|"patches"|"experiments", None) or ("story", NAME) for a section's bold line."""
    content = content.strip()
    if content in _SECTIONS:
        return _SECTIONS[content], None
    for label in STORY_LABELS.values():
        if content.startswith(label):
            return "story", uncell(content[len(label):].strip())
    return None


def parse_ideas(body: str, *, path=None, first_line: int = 1) -> IdeaLog:
    """The idea log in a region body; `first_line` is the file line of the body's first line.
    Every bad cell is reported, each at its own line (`NoteProblems`), not only the first."""
    tokens = parse_blocks(body)
    points: list[Point] = []
    patches: list[Patch] = []
    experiments: dict[int, tuple[dict, int]] = {}
    stories: list[str] = []
    problems: list[PapernotesError] = []
    section = "patches"
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = first_line + (tok.map[0] if tok.map else 0)
        if tok.type == "paragraph_open" and tokens[i + 1].type == "inline":
            found = _heading(tokens[i + 1].content.split("\n", 1)[0])  # a line typed under it too
            if found is not None:
                section, name = found
                if name and name not in stories:
                    stories.append(name)
        elif section == "story":
            pass  # a story's table and chain are derived from the patches
        elif tok.type == "list_item_open" and tok.markup in (".", ")"):
            inline = next(t for t in tokens[i:] if t.type == "inline")
            try:
                points.append(Point(id=int(tok.info), text=unpoint(inline.content)))
            except (ValueError, ValidationError):
                problems.append(cell_error(f"bad point {tok.info}. {inline.content!r}", path, line,
                                           "ideas.points"))
        elif tok.type == "table_open" and section == "experiments":
            header, rows, i = table_rows(tokens, i)
            try:
                experiments.update(experiments_table.parse_table(
                    header, rows, path=path, line=line, first_line=first_line))
            except PapernotesError as exc:
                problems += problems_of(exc)
            continue
        elif tok.type == "table_open":
            header, rows, i = table_rows(tokens, i)
            if len(header) != _NCOL:
                problems.append(cell_error(f"patch table needs {_NCOL} columns, found "
                                           f"{len(header)}", path, line, "ideas.patches"))
                continue
            for row in rows:
                try:
                    patches.append(_patch(row.cells, path=path, line=first_line + row.line))
                except PapernotesError as exc:
                    problems.append(exc)
            continue
        i += 1
    ids = [p.id for p in points]
    if len(set(ids)) != len(ids):
        problems.append(cell_error("duplicate point number", path, first_line, "ideas.points"))
    try:
        patches = experiments_table.join_experiments(patches, experiments, path)
    except PapernotesError as exc:
        problems += problems_of(exc)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise problems[0] if len(problems) == 1 else NoteProblems(problems)
    return IdeaLog(points=points, patches=patches, stories=stories)


def _patch(cells: list[str], *, path, line: int) -> Patch:
    c = [uncell(x) for x in cells] + [""] * (_NCOL - len(cells))
    pid = int_cell(c[0], path=path, line=line, field="ideas.patches.id")
    point = int_cell(c[1], path=path, line=line, field="ideas.patches.point")
    try:
        kind = PatchKind(c[2] or "other")
        status = PatchStatus(c[3] or "idea")
    except ValueError as exc:
        raise cell_error(str(exc), path, line, "ideas.patches") from None
    try:
        return Patch(id=pid or 0, point=point, kind=kind, status=status, text=c[4], hypothesis=c[5],
                     cost=c[6], result=c[7], repro=c[8] or None, run_id=c[9] or None, story=c[10])
    except ValidationError as exc:
        e = exc.errors()[0]
        raise cell_error(e["msg"], path, line, "ideas.patches." + ".".join(map(str, e["loc"]))) from None
