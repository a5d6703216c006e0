"""The experiments table of the `ideas` region: a patch's experiment and verdict, and back.

    | # | 配置 | 改动 | 预期 | 基线 | 补丁 | 差值 [95% CI] | N | 还需种子 | 父运行 |
    | 1 | demo | `aug.color_strength=0.25` | eval/linear_top1 <= -1 | 30.12 ± 0.40 SD | ... |

A row is written for each patch that defines an experiment (profile, `--set` changes, an
expectation) or carries a verdict; the row's number is the patch's. Parsing gives each row's
fields (`parse_table`), which `join_experiments` merges into the patches of the patch table.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from papernotes.core.errors import NoteProblems, PapernotesError
from papernotes.notes.format.ideas_cells import cell_error, int_cell
from papernotes.notes.format.ideas_story import mean_sd, num
from papernotes.notes.format.markdown import Row
from papernotes.notes.model.ideas_model import Patch, Verdict, parse_expectation

COLUMNS = 10
_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_MEAN_SD = re.compile(rf"^({_NUM})\s*±\s*({_NUM})(?:\s*SD)?$")
_DIFF_CI = re.compile(rf"^({_NUM})\s*\[\s*({_NUM})\s*,\s*({_NUM})\s*\]$")
_LINK = re.compile(r"^\[[^\]]*\]\(([^)\s]*)\)$")
_CODE = re.compile(r"`([^`]*)`")
_FIELD = "ideas.experiments."


def verdict_cells(v: Verdict | None) -> list[str]:
    """baseline, patch, difference [CI], N, seeds to settle, parent run."""
    if v is None:
        return [""] * 6
    return [mean_sd(v.baseline_mean, v.baseline_sd), mean_sd(v.patch_mean, v.patch_sd),
            f"{num(v.diff_mean, True)} [{num(v.ci_low, True)}, {num(v.ci_high, True)}]", str(v.n),
            "" if v.seeds_needed is None else str(v.seeds_needed),
            f"[MLflow]({v.link})" if v.link else ""]


def experiment_cells(p: Patch) -> list[str]:
    """The row of patch `p` (which has an experiment or a verdict)."""
    return [str(p.id), p.profile or "", " ".join(f"`{s}`" for s in p.sets),
            str(p.expect) if p.expect else "", *verdict_cells(p.verdict)]


def parse_experiment(cells: list[str], *, path, line: int) -> tuple[int, dict]:
    """(patch id, the experiment fields) of one row of the experiments table."""
    c = [x.strip() for x in cells] + [""] * (COLUMNS - len(cells))
    pid = int_cell(c[0], path=path, line=line, field=_FIELD + "id")
    if pid is None:
        raise cell_error("a row needs the patch number", path, line, _FIELD + "id")
    sets = _CODE.findall(c[2]) if "`" in c[2] else c[2].split()
    expect = None
    if c[3]:
        try:
            expect = parse_expectation(c[3])
        except ValueError as exc:
            raise cell_error(str(exc), path, line, _FIELD + "expect") from None
    fields = {"profile": c[1] or None, "sets": tuple(sets), "expect": expect, "verdict": None}
    if any(c[4:]):
        fields["verdict"] = _verdict(c[4:], path=path, line=line)
    return pid, fields


def parse_table(header: list[str], rows: list[Row], *, path, line: int, first_line: int) -> dict[int, tuple[dict, int]]:
    """patch id -> (its experiment fields, file line) for the experiments table at file line
    `line`; `rows` as `markdown.table_rows` reads them (lines relative to `first_line`)."""
    if len(header) != COLUMNS:
        raise cell_error(f"experiment table needs {COLUMNS} columns, found {len(header)}", path, line,
                         "ideas.experiments")
    out, problems = {}, []
    for row in rows:
        at = first_line + row.line
        try:
            pid, fields = parse_experiment(row.cells, path=path, line=at)
        except PapernotesError as exc:
            problems.append(exc)
            continue
        out[pid] = (fields, at)
    if problems:
        raise problems[0] if len(problems) == 1 else NoteProblems(problems)
    return out


def _verdict(c: list[str], *, path, line: int) -> dict:
    base, patch, diff = (_MEAN_SD.match(c[0]), _MEAN_SD.match(c[1]), _DIFF_CI.match(c[2]))
    for m, name, form in ((base, "baseline", "MEAN ± SD"), (patch, "patch", "MEAN ± SD"),
                          (diff, "difference", "MEAN [LOW, HIGH]")):
        if m is None:
            raise cell_error(f"expected {form}", path, line, _FIELD + name)
    n = int_cell(c[3], path=path, line=line, field=_FIELD + "n")
    if n is None:
        raise cell_error("the number of seeds is missing", path, line, _FIELD + "n")
    link = _LINK.match(c[5])
    if c[5] and link is None:
        raise cell_error("expected a Markdown link [MLflow](URL)", path, line, _FIELD + "parent_run")
    return {"n": n, "baseline_mean": float(base[1]), "baseline_sd": float(base[2]),
            "patch_mean": float(patch[1]), "patch_sd": float(patch[2]), "diff_mean": float(diff[1]),
            "ci_low": float(diff[2]), "ci_high": float(diff[3]),
            "seeds_needed": int_cell(c[4], path=path, line=line, field=_FIELD + "seeds_needed"),
            "link": link[1] if link else ""}


def join_experiments(patches: list[Patch], experiments: dict[int, tuple[dict, int]], path) -> list[Patch]:
    """`patches` with the fields of their rows (patch id -> (fields, file line)) merged in."""
    known = {p.id for p in patches}
    out, problems = [], []
    for pid, (_, line) in experiments.items():
        if pid not in known:
            problems.append(cell_error(f"experiment of patch {pid}, which is not in the patch "
                                       "table", path, line, _FIELD + "id"))
    for p in patches:
        if p.id in experiments:
            fields, line = experiments[p.id]
            try:
                p = Patch.model_validate({**p.model_dump(), **fields})
            except ValidationError as exc:
                problems += [cell_error(e["msg"].removeprefix("Value error, "), path, line,
                                        _FIELD + ".".join(map(str, e["loc"])))
                             for e in exc.errors()]
        out.append(p)
    if problems:
        raise problems[0] if len(problems) == 1 else NoteProblems(problems)
    return out
