"""The board's Markdown: every method with a repro spec side by side (pure: rows in, text out).

`notes/board.md` is an Obsidian note, one table row per spec: the paper (link to its note,
title, year), the paper's headline numbers (the spec's `expected:`), this vault's best
reproduction (metric, run link, date, its config in one line) and the random-init baseline of
that same run. A spec without a finished run says so and gives the command that runs it. The
file is generated: its marker line lets `papernotes board` refuse to overwrite a note of the
user's that happens to be called board.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papernotes.notes.note_files import GENERATED_MARK

MARKER = f"{GENERATED_MARK}board %%"  # iter_note_paths skips the board by it
COLUMNS = ("method", "paper", "spec", "paper's numbers", "this vault's best", "random init",
           "run", "config")
METRIC_NAMES = {"eval/linear_top1": "linear top-1", "eval/linear_top5": "linear top-5",
                "eval/knn_top1": "kNN top-1", "eval/finetune_top1": "fine-tune top-1",
                "eval/random_init_finetune_top1": "fine-tune top-1 from random init"}
HEADLINE = "eval/linear_top1"  # what "best" means, and the one the gap to the paper is given for
BASELINE = "eval/random_init_linear_top1"


@dataclass(frozen=True)
class PaperNumber:
    """One number the paper reports (a spec's `expected:` entry)."""

    metric: str
    value: float
    backbone: str
    dataset: str
    source: str


@dataclass(frozen=True)
class BestRun:
    """A spec's number on the board: of its plain reproductions, the config with the highest
    mean linear top-1 over its seeds (newest on ties); `run_id` its newest run."""

    run_id: str
    link: str  # MLflow UI
    date: str  # YYYY-MM-DD, when it ended
    metrics: dict  # eval/* in percent
    profile: str
    backbone: str
    dataset: str
    config: str  # the rest of the config in one line: epochs, batch, hardware, overrides
    finished_runs: int = 1  # plain reproductions of this spec, every config
    mean_of: int = 1  # the runs (seeds of one config) its metrics are the mean of
    params: dict = field(default_factory=dict)  # the run's parameters (board_ledger.py reads them)


@dataclass(frozen=True)
class BoardRow:
    spec: str  # what `papernotes repro SPEC` takes
    note: str  # the note key the spec writes into
    title: str | None = None
    year: int | None = None
    paper: tuple[PaperNumber, ...] = ()
    best: BestRun | None = None
    command: str = ""  # how to run it (shown when there is no run yet)
    problem: str | None = None  # a spec that does not load: its one-line error


@dataclass(frozen=True)
class BoardInfo:
    generated: str  # "YYYY-MM-DD HH:MM"
    tracking_uri: str
    other_runs: int = 0  # finished runs of specs that are no longer in repro/
    extra: tuple[str, ...] = field(default_factory=tuple)


def cell(text: str) -> str:
    """Table-safe text: pipes escaped (Obsidian reads `\\|`), one line."""
    return " ".join(str(text).replace("|", "\\|").split())


def pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def paper_cell(numbers: tuple[PaperNumber, ...]) -> str:
    if not numbers:
        return "–"
    parts = [f"{METRIC_NAMES.get(n.metric, n.metric)} **{n.value:.1f}** "
             f"({n.backbone}, {n.dataset}; {n.source})" for n in numbers]
    return "<br>".join(cell(p) for p in parts)


def gap(best: BestRun, numbers: tuple[PaperNumber, ...]) -> str:
    """` (−3.1 vs paper)` when the paper reports the headline metric for this backbone and data
    set; nothing when the settings differ (a gap would compare different things)."""
    ours = best.metrics.get(HEADLINE)
    for n in numbers:
        if (n.metric == HEADLINE and ours is not None and n.backbone == best.backbone
                and n.dataset == best.dataset):
            diff = ours - n.value
            return f" ({'+' if diff >= 0 else '−'}{abs(diff):.1f} vs paper)"
    return ""


def best_cell(row: BoardRow) -> str:
    if row.problem:
        return cell(f"spec does not load: {row.problem}")
    best = row.best
    if best is None:
        return "not run yet"
    parts = [f"linear top-1 **{pct(best.metrics.get(HEADLINE))}**{gap(best, row.paper)}"]
    for key in ("eval/linear_top5", "eval/knn_top1", "eval/finetune_top1"):  # fine-tuning: MAE
        if key in best.metrics:
            parts.append(f"{METRIC_NAMES[key]} {pct(best.metrics[key])}")
    return cell(" · ".join(parts))


def run_cell(row: BoardRow) -> str:
    if row.best is None:
        return f"`{cell(row.command)}`" if row.command and not row.problem else "–"
    b = row.best
    n = f"mean of {b.mean_of} runs" if b.mean_of > 1 else "n=1"
    more = f"; best of {b.finished_runs} runs" if b.finished_runs > b.mean_of else ""
    return f"[{b.run_id[:8]}]({b.link}) {b.date} ({n}{more})"


def config_cell(best: BestRun | None) -> str:
    if best is None:
        return "–"
    return cell(f"{best.profile}: {best.backbone} · {best.dataset} · {best.config}")


def paper_title(row: BoardRow) -> str:
    if not row.title:
        return "–"
    return cell(f"{row.title} ({row.year})" if row.year else row.title)


def render_row(row: BoardRow) -> str:
    baseline = None if row.best is None else row.best.metrics.get(BASELINE)
    cells = ["–" if row.problem else f"[[{row.note}]]", paper_title(row), f"`{row.spec}`", paper_cell(row.paper),
             best_cell(row), pct(baseline), run_cell(row), config_cell(row.best)]
    return "| " + " | ".join(cells) + " |"


def render_board(rows: list[BoardRow], info: BoardInfo) -> str:
    """The whole note, from its frontmatter to the last table row."""
    ran = sum(1 for r in rows if r.best is not None)
    lines = [
        "---",
        "title: Methods board",
        "tags: [papernotes/board]",
        "---",
        MARKER,
        "# Methods board",
        "",
        f"> [!info] Generated by `papernotes board` on {info.generated}: {len(rows)} repro "
        f"spec(s), {ran} with a finished run, from the MLflow store `{info.tracking_uri}`.",
        "> Do not edit this note: it is rewritten after every `papernotes repro`. Your own "
        "words go into the method notes.",
        "> Paper numbers are at the paper's setting; ours at the setting in the last column "
        "(the gap to the paper is shown only where backbone and data set match).",
    ]
    if info.other_runs:
        lines.append(f"> {info.other_runs} finished run(s) of specs no longer in `repro/` are "
                     "not shown (`papernotes runs` lists them).")
    lines += [f"> {cell(x)}" for x in info.extra]
    lines += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += [render_row(r) for r in rows]
    return "\n".join(lines) + "\n"


def is_generated(text: str) -> bool:
    """Whether `text` is a board papernotes wrote (its marker line is there)."""
    return any(line.strip() == MARKER for line in text.splitlines())
