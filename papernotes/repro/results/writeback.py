"""Results back into the note: the `repro` managed region, one table row per run.

The region holds the paper's numbers (from the spec's `expected`), one row per run (kept from
the existing region, so runs accumulate; a resumed run replaces its own row) and the curves
embedded as `![[...]]` with the PNG stored in the vault. Only the region's bytes change. A run
never changes an idea patch's status: it records its result on a patch that names its run id;
`record_verdict` writes the verdict of `papernotes idea run` on its patch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from papernotes.core.atomic import atomic_write_bytes
from papernotes.core.errors import PapernotesError
from papernotes.core.locked_update import update_text
from papernotes.core.notices import warn
from papernotes.core.workspace import ATTACHMENTS
from papernotes.notes.format.language import note_language
from papernotes.notes.format.region_edits import RegionEdit, keep_lines
from papernotes.notes.format.regions import find_regions, region_body, replace_region

REGION = "repro"
COLUMNS = ("run", "date", "spec", "backbone", "dataset", "epochs", "batch", "linear top-1",
           "linear top-5", "kNN top-1", "random-init top-1", "hardware", "wall time", "MLflow")
_EMBED = re.compile(r"^!\[\[[^\]]+\]\]\s*$")
_METRIC_COLUMN = {"eval/linear_top1": "linear top-1", "eval/linear_top5": "linear top-5",
                  "eval/knn_top1": "kNN top-1", "eval/random_init_linear_top1": "random-init top-1"}


@dataclass(frozen=True)
class RunRow:
    run_id: str
    date: str
    spec: str  # name/profile
    backbone: str
    dataset: str
    epochs: int
    batch: int
    metrics: dict  # eval/* in percent
    hardware: str
    wall_time_s: float
    link: str
    protocol: str = ""  # ours in one line (our_protocol.py), for the repro_protocol property
    ledger: tuple[str, ...] = ()  # run_record.ledger_lines: this row against the card's numbers
    linear_protocol: str | None = None  # eval.linear_protocol: "official" or "cached_features"

    def flat(self, expected) -> dict:
        """The flat properties this row sets (notes/format/repro_properties.py)."""
        from papernotes.repro.results.flat_properties import flat_values

        return flat_values(self.metrics.get("eval/linear_top1"), None, 1, self.protocol, self.link,
                           expected)

    def cells(self) -> list[str]:
        m = self.metrics
        pct = lambda key: f"{m[key]:.2f}" if key in m else "–"  # noqa: E731
        said = (f" ({self.linear_protocol.replace('_', ' ')})"
                if self.linear_protocol and "eval/linear_top1" in m else "")
        top1 = f"{pct('eval/linear_top1')}{said} (n=1)" if "eval/linear_top1" in m else "–"
        return [f"`{self.run_id[:8]}`", self.date, self.spec, self.backbone, self.dataset,
                str(self.epochs), str(self.batch), top1, pct("eval/linear_top5"),
                pct("eval/knn_top1"), pct("eval/random_init_linear_top1"), _cell(self.hardware),
                _duration(self.wall_time_s), f"[{self.run_id}]({self.link})"]


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}h{rest // 60:02d}m" if h else f"{rest // 60}m{rest % 60:02d}s"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def paper_rows(expected) -> list[str]:
    """The paper's numbers, one row per (backbone, dataset, source)."""
    groups: dict[tuple, dict] = {}
    for e in expected:
        key = (e.backbone, e.dataset, e.source, e.epochs, e.batch_size)
        groups.setdefault(key, {})[e.metric] = e.value
    rows = []
    for (backbone, dataset, source, epochs, batch), metrics in groups.items():
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(run="**paper**", spec=_cell(source), backbone=backbone, dataset=dataset,
                     epochs=str(epochs or ""), batch=str(batch or ""))
        for metric, value in metrics.items():
            if metric in _METRIC_COLUMN:
                cells[_METRIC_COLUMN[metric]] = f"{value:.1f}"
        rows.append(_row([cells[c] for c in COLUMNS]))
    return rows


def existing_runs(body: str | None) -> tuple[list[str], list[str]]:
    """Run rows and embed lines already in the region (paper/header rows are regenerated)."""
    rows, embeds = [], []
    for line in (body or "").splitlines():
        stripped = line.strip()
        if _EMBED.match(stripped):
            embeds.append(stripped)
        elif stripped.startswith("| `"):
            rows.append(stripped)
    return rows, embeds


_HEADING = {"zh": "### 复现结果 (papernotes repro)", "en": "### Reproduction (papernotes repro)"}


_LEDGER_HEAD = ("Ledger: the last row against every number of the paper's card, protocol "
                "differences spelled out (`papernotes catalog KEY` gives the sources):")


def render_region(expected, rows: list[str], embeds: list[str], lang: str = "en",
                  ledger: list[str] | tuple[str, ...] = ()) -> str:
    """The region body. Column names stay in English in both languages: `papernotes list`
    reads the last run by them. `ledger`: run_record.ledger_lines of the row just written."""
    lines = [_HEADING.get(lang, _HEADING["en"]), "",
             _row(list(COLUMNS)), _row(["---"] * len(COLUMNS)), *paper_rows(expected), *rows]
    if ledger:
        lines += ["", _LEDGER_HEAD, *ledger]
    if embeds:
        lines += ["", *embeds]
    return "\n".join(lines) + "\n"


_SEPARATOR = re.compile(r"^\|[\s:|-]+\|?$")


def typed_lines(old_body: str | None, new_body: str) -> list[str]:
    """Lines typed by hand in the old region that the new body does not carry (its own rows,
    embeds and fixed words are regenerated; the paper's rows come from the spec)."""
    from papernotes.notes.format.render import NO_RUNS

    new = {" ".join(ln.split()) for ln in new_body.splitlines()}
    fixed = set(_HEADING.values()) | set(NO_RUNS.values()) | {_LEDGER_HEAD}
    out = []
    for line in (old_body or "").splitlines():
        s = line.strip()
        if (not s or " ".join(s.split()) in new or s in fixed or _SEPARATOR.match(s)
                or s.startswith(("| **paper**", "| run |", "- vs "))):  # "- vs ": a ledger line
            continue
        out.append(line.rstrip())
    return out


def result_text(row: RunRow, expected) -> str:
    """One line for the idea log: our linear top-1 beside the paper's."""
    ours = row.metrics.get("eval/linear_top1")
    paper = next((e.value for e in expected if e.metric == "eval/linear_top1"), None)
    text = f"run {row.run_id[:8]} ({row.spec}, {row.epochs} epochs)"
    if ours is not None:
        text += f": linear top-1 {ours:.2f}%"
        if paper is not None:
            text += f" vs paper {paper:.1f}%"
    return text


def update_patches(text: str, note_path: Path, row: RunRow, expected) -> tuple[str, list[int]]:
    """Record the run on the idea patches that name its run id (their `result`), and nothing more:
    a single run says nothing about a patch's status; `papernotes idea run` gives verdicts.
    Returns the new text and the patch ids."""
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.format.render import render_update
    from papernotes.notes.patching import set_patch

    parsed = parse_note(text, path=note_path, key=note_path.stem)
    log = parsed.note.ideas
    ids = [p.id for p in log.patches if p.run_id == row.run_id]
    for pid in ids:
        log = set_patch(log, pid, result=result_text(row, expected))
    if log == parsed.note.ideas:
        return text, []
    return render_update(parsed, parsed.note.model_copy(update={"ideas": log})), ids


def _header_in_step(text: str, note_path: Path, root: Path) -> str:
    """`text` with the header under the title and its properties in step (a header line edited
    by hand goes into its property, a property changed in Obsidian into the header:
    `notes/header_state.py`); unchanged if the note does not parse."""
    from papernotes.core.errors import PapernotesError
    from papernotes.notes import header_state
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.format.render import render_update

    try:
        parsed = header_state.resolve(root, parse_note(text, path=note_path, key=note_path.stem))
    except PapernotesError:
        return text
    header_state.record(root, [(note_path, parsed.note)])
    return render_update(parsed, parsed.note)


def write_back(note_path: Path, vault_root: Path, row: RunRow, expected,
               curves_png: Path | None, spec: str | None = None) -> list[int]:
    """Add `row` (and the curves) to the note's `repro` region, and record the run on the idea
    patches that name its run id (when `spec` is given); the rest of the note is kept, and so
    are edits and rows other writers make meanwhile (`locked_update`). Returns those patch ids."""
    embed = None
    if curves_png is not None and curves_png.is_file():
        name = f"{note_path.stem}-{row.run_id[:8]}-curves.png"
        target = note_path.parent / ATTACHMENTS / name
        atomic_write_bytes(target, curves_png.read_bytes(), overwrite=True)
        try:  # Obsidian resolves embeds from the vault root
            rel = target.resolve().relative_to(vault_root.resolve()).as_posix()
        except ValueError:
            rel = f"{ATTACHMENTS}/{name}"
        embed = f"![[{rel}]]"
    patched: list[int] = []
    mine = f"| `{row.run_id[:8]}` |"

    def change(text: str) -> str:
        nonlocal patched
        if spec is not None:
            text, patched = update_patches(text, note_path, row, expected)
        return with_row(text, note_path, vault_root, _row(row.cells()),
                        lambda r: r.startswith(mine), expected, embed, row.flat(expected), row.ledger)

    update_text(note_path, change)
    return patched


def with_row(text: str, note_path: Path, vault_root: Path, line: str, replaces, expected,
             embed: str | None = None, flat: dict | None = None, ledger: tuple[str, ...] = ()) -> str:
    """`text` with `line` as the last row of its repro region, the rows `replaces(row)` accepts
    dropped (the row it takes the place of), `embed` added, the flat properties set to `flat`
    (Bases read them: notes/format/repro_properties.py); lines typed inside the region are kept
    after it, with a warning."""
    from papernotes.notes.format.repro_properties import set_owned

    rows, embeds = existing_runs(region_body(text, REGION, path=note_path))
    replaced = {r for r in rows if replaces(r)}  # the tool's own rows, not typed by hand
    rows = [r for r in rows if r not in replaced] + [line]
    if embed is not None and embed not in embeds:
        embeds.append(embed)
    old_body = region_body(text, REGION, path=note_path)
    body = render_region(expected, rows, embeds, note_language(text), ledger)
    if "\r\n" in text:  # keep the note's line endings
        body = body.replace("\n", "\r\n")
    new_text = replace_region(text, REGION, body, path=note_path)
    if flat is not None:
        new_text = set_owned(new_text, flat, path=note_path)
    new_text = _header_in_step(new_text, note_path, vault_root)
    # lines typed inside the region (not a row this one replaced): kept after it, warned
    kept = [ln for ln in typed_lines(old_body, body) if ln.strip() not in replaced]
    if kept:
        new_text = keep_lines(new_text, REGION, kept, path=note_path)
        edit = RegionEdit(REGION, 0, tuple(kept), folded=True)
        warn(edit.message, path=note_path, field=REGION, hint=edit.hint,
             line=find_regions(new_text, path=note_path)[REGION].line)
    return new_text


def record_verdict(note_path: Path, ran, status, verdict, parent_run_id: str, result: str,
                   profile: str | None = None) -> bool:
    """The verdict of `papernotes idea run` on the patch `ran` (as it was when it ran): status,
    numbers, parent run and result. Not recorded (False) if the patch's experiment was changed
    in the note meanwhile: the numbers would describe another experiment."""
    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.format.render import render_update
    from papernotes.notes.patching import experiment_changed, find_patch
    from papernotes.notes.patching import record_verdict as record

    recorded = False

    def change(text: str) -> str:
        nonlocal recorded
        parsed = parse_note(text, path=note_path, key=note_path.stem)
        log = parsed.note.ideas
        try:
            recorded = not experiment_changed(ran, find_patch(log, ran.id))
        except PapernotesError:  # the patch was deleted meanwhile
            recorded = False
        if not recorded:
            return text
        log = record(log, ran.id, status=status, verdict=verdict, run_id=parent_run_id, result=result,
                     profile=profile)
        return render_update(parsed, parsed.note.model_copy(update={"ideas": log}))

    update_text(note_path, change)
    return recorded
