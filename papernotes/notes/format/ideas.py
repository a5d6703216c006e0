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

The experiments table has a row for each patch that defines an experiment (profile, `--set`
changes, an expectation) or carries a verdict; it is edited like the patch table. A story's
table and chain are derived from the patches and re-rendered on every write; only the thread
names are read back. Newlines are written `<br>`, and `|` in cells `\\|`; a literal `<br>` typed
in a text is written `\\<br>` (a backslash before it doubled), as Markdown itself escapes it.
`render_ideas(parse_ideas(b)) == b` for every body this module renders.
"""

from __future__ import annotations

import re
import string

from pydantic import ValidationError

from papernotes.errors import PapernotesError
from papernotes.notes.format.ideas_story import STORY_LABELS, num, render_story
from papernotes.notes.format.markdown import parse_blocks, table_rows
from papernotes.notes.model.ideas_model import IdeaLog, Patch, PatchKind, PatchStatus, Point, Verdict, parse_expectation

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
_EMPTY = {t[k] for t in _TEXT.values() for k in ("no_points", "no_patches")}
_SECTIONS = {t[k]: k for t in _TEXT.values() for k in ("points", "patches", "experiments")}
_NCOL = 11
_NEXP = 10
_PUNCT = frozenset(string.punctuation)
_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_MEAN_SD = re.compile(rf"^({_NUM})\s*±\s*({_NUM})$")
_DIFF_CI = re.compile(rf"^({_NUM})\s*\[\s*({_NUM})\s*,\s*({_NUM})\s*\]$")
_LINK = re.compile(r"^\[[^\]]*\]\(([^)\s]*)\)$")
_CODE = re.compile(r"`([^`]*)`")


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


def verdict_cells(v: Verdict | None) -> list[str]:
    """baseline, patch, difference [CI], N, seeds to settle, parent run."""
    if v is None:
        return [""] * 6
    return [f"{num(v.baseline_mean)} ± {num(v.baseline_sd)}", f"{num(v.patch_mean)} ± {num(v.patch_sd)}",
            f"{num(v.diff_mean, True)} [{num(v.ci_low, True)}, {num(v.ci_high, True)}]", str(v.n),
            "" if v.seeds_needed is None else str(v.seeds_needed),
            f"[MLflow]({v.link})" if v.link else ""]


def _table(header: list[str], rows: list[list[str]], numeric: int) -> list[str]:
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join(["--:"] * numeric + [":--"] * (len(header) - numeric)) + " |"]
    return out + ["| " + " | ".join(_cell(c) for c in cells) + " |" for cells in rows]


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
        out += _table(t["header"], [[str(p.id), str(p.point or ""), p.kind.value, p.status.value,
                                     p.text, p.hypothesis, p.cost, p.result, p.repro or "",
                                     p.run_id or "", p.story] for p in log.patches], 2)
    else:
        out.append(t["no_patches"])
    experiments = [p for p in log.patches if p.has_experiment]
    if experiments:
        out += ["", t["experiments"], ""]
        out += _table(t["exp_header"], [[str(p.id), p.profile or "",
                                         " ".join(f"`{s}`" for s in p.sets),
                                         str(p.expect) if p.expect else "", *verdict_cells(p.verdict)]
                                        for p in experiments], 1)
    for name in log.stories:
        out += ["", *render_story(log, name, lang)]
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


def _heading(content: str) -> tuple[str, str | None] | None:
    """("points"|"patches"|"experiments", None) or ("story", NAME) for a section's bold line."""
    content = content.strip()
    if content in _SECTIONS:
        return _SECTIONS[content], None
    for label in STORY_LABELS.values():
        if content.startswith(label):
            return "story", _uncell(content[len(label):].strip())
    return None


def parse_ideas(body: str, *, path=None, first_line: int = 1) -> IdeaLog:
    """The idea log in a region body; `first_line` is the file line of the body's first line."""
    tokens = parse_blocks(body)
    points: list[Point] = []
    patches: list[Patch] = []
    experiments: dict[int, tuple[dict, int]] = {}
    stories: list[str] = []
    section = "patches"
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = first_line + (tok.map[0] if tok.map else 0)
        if tok.type == "paragraph_open" and tokens[i + 1].type == "inline":
            found = _heading(tokens[i + 1].content)
            if found is not None:
                section, name = found
                if name and name not in stories:
                    stories.append(name)
        elif section == "story":
            pass  # a story's table and chain are derived from the patches
        elif tok.type == "list_item_open" and tok.markup in (".", ")"):
            inline = next(t for t in tokens[i:] if t.type == "inline")
            try:
                points.append(Point(id=int(tok.info), text=_unpoint(inline.content)))
            except (ValueError, ValidationError):
                raise _err(f"bad point {tok.info}. {inline.content!r}", path, line,
                           "ideas.points") from None
        elif tok.type == "table_open" and section == "experiments":
            header, rows, i = table_rows(tokens, i)
            if len(header) != _NEXP:
                raise _err(f"experiment table needs {_NEXP} columns, found {len(header)}", path, line,
                           "ideas.experiments")
            for row in rows:
                at = first_line + row.line
                pid, fields = _experiment(row.cells, path=path, line=at)
                experiments[pid] = (fields, at)
            continue
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
    return IdeaLog(points=points, patches=_join(patches, experiments, path), stories=stories)


def _join(patches: list[Patch], experiments: dict[int, tuple[dict, int]], path) -> list[Patch]:
    known = {p.id for p in patches}
    for pid, (_, line) in experiments.items():
        if pid not in known:
            raise _err(f"experiment of patch {pid}, which is not in the patch table", path, line,
                       "ideas.experiments.id")
    out = []
    for p in patches:
        if p.id in experiments:
            fields, line = experiments[p.id]
            try:
                p = Patch.model_validate({**p.model_dump(), **fields})
            except ValidationError as exc:
                e = exc.errors()[0]
                raise _err(e["msg"].removeprefix("Value error, "), path, line,
                           "ideas.experiments." + ".".join(map(str, e["loc"]))) from None
        out.append(p)
    return out


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


def _experiment(cells: list[str], *, path, line: int) -> tuple[int, dict]:
    """(patch id, the experiment fields) of one row of the experiments table."""
    c = [x.strip() for x in cells] + [""] * (_NEXP - len(cells))
    field = "ideas.experiments."
    pid = _int(c[0], path=path, line=line, field=field + "id")
    if pid is None:
        raise _err("a row needs the patch number", path, line, field + "id")
    sets = _CODE.findall(c[2]) if "`" in c[2] else c[2].split()
    expect = None
    if c[3]:
        try:
            expect = parse_expectation(c[3])
        except ValueError as exc:
            raise _err(str(exc), path, line, field + "expect") from None
    fields = {"profile": c[1] or None, "sets": tuple(sets), "expect": expect, "verdict": None}
    if any(c[4:]):
        fields["verdict"] = _verdict(c[4:], path=path, line=line)
    return pid, fields


def _verdict(c: list[str], *, path, line: int) -> dict:
    field = "ideas.experiments."
    base, patch, diff = (_MEAN_SD.match(c[0]), _MEAN_SD.match(c[1]), _DIFF_CI.match(c[2]))
    for m, name, form in ((base, "baseline", "MEAN ± SD"), (patch, "patch", "MEAN ± SD"),
                          (diff, "difference", "MEAN [LOW, HIGH]")):
        if m is None:
            raise _err(f"expected {form}", path, line, field + name)
    n = _int(c[3], path=path, line=line, field=field + "n")
    if n is None:
        raise _err("the number of seeds is missing", path, line, field + "n")
    link = _LINK.match(c[5])
    if c[5] and link is None:
        raise _err("expected a Markdown link [MLflow](URL)", path, line, field + "parent_run")
    return {"n": n, "baseline_mean": float(base[1]), "baseline_sd": float(base[2]),
            "patch_mean": float(patch[1]), "patch_sd": float(patch[2]), "diff_mean": float(diff[1]),
            "ci_low": float(diff[2]), "ci_high": float(diff[3]),
            "seeds_needed": _int(c[4], path=path, line=line, field=field + "seeds_needed"),
            "link": link[1] if link else ""}
