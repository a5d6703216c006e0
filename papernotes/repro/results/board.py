"""`papernotes board`: collect the board's rows (specs, catalog cards, MLflow runs) and write
`notes/board.md`, the generated note that puts every method side by side (`board_render`).

Specs: the workspace's `repro/*.yaml`, then the shipped ones it does not shadow. Runs: the
finished MLflow runs carrying the `papernotes.spec` tag the runner sets, read like `papernotes
runs` reads them; a spec's number comes from its plain reproductions only (never an `idea run`
arm): the config with the highest mean `eval/linear_top1` over its seeds, with its run count. A store that does not exist
yet is read as empty (opening it would create it). Writing takes a lock, so runs finishing at
the same time never write a board that misses one of them, and refuses to replace a
`board.md` that papernotes did not generate unless forced.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papernotes.core import locks
from papernotes.core.atomic import atomic_write_text, read_text_utf8
from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.core.workspace import Workspace
from papernotes.notes.vault import note_path
from papernotes.repro.results.board_render import (
    HEADLINE,
    BestRun,
    BoardInfo,
    BoardRow,
    PaperNumber,
    is_generated,
    render_board,
)
from papernotes.repro.spec.find import spec_files
from papernotes.repro.tracking.tags import ARM, OVERRIDES, PATCH, PROFILE, SPEC, search_filter

BOARD_KEY = "board"  # notes/board.md
LOCK = Path(".papernotes") / "board.lock"


def run_command(stem: str, spec) -> str:
    """How to run a spec: its CPU demo when it has one, else its default profile."""
    if "demo" in spec.profiles:
        return command("repro", stem, "--profile", "demo", "--device", "cpu")
    return command("repro", stem, "--profile", spec.default_profile)


def finished_runs(uri: str) -> list:
    """Every FINISHED run of the store that carries a spec tag (all pages)."""
    from papernotes.repro.tracking.client import read_error
    from papernotes.repro.tracking.store_read import light_reader

    client = light_reader(uri)  # sqlite3 on a SQLite store: no `import mlflow`
    if client is None:
        return []
    try:
        experiments = [e.experiment_id for e in client.search_experiments()]
        runs, token = [], None
        while experiments:
            page = client.search_runs(experiments, filter_string=search_filter(status="FINISHED"),
                                      max_results=1000, page_token=token)
            runs += [r for r in page if r.data.tags.get(SPEC)]
            token = page.token
            if not token:
                break
    except Exception as exc:
        raise read_error(exc, uri) from None
    return runs


SEED_NEUTRAL = ("train.seed", "out_dir", "train.threads", "train.log_every", "train.checkpoint_every")


def plain_reproductions(runs: list) -> list:
    """The runs a method's number may come from: plain `repro` runs, never an `idea run`'s arms
    (a patch's arm is not the method) nor its parent run."""
    return [r for r in runs if ARM not in r.data.tags and PATCH not in r.data.tags]


def same_config(runs: list) -> list[list]:
    """The runs grouped by their config but for the seed (their parameters), newest first."""
    groups: dict[tuple, list] = {}
    for run in runs:
        key = tuple(sorted((k, v) for k, v in run.data.params.items() if k not in SEED_NEUTRAL))
        groups.setdefault(key, []).append(run)
    for group in groups.values():
        group.sort(key=lambda r: r.info.end_time or r.info.start_time or 0, reverse=True)
    return list(groups.values())


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def best_run(runs: list, uri: str, ui_base: str = "http://127.0.0.1:5000") -> BestRun | None:
    """The board's number for a spec: over its plain reproductions, the config (seeds pooled)
    with the highest mean linear top-1 (the newest on ties); its metrics are the means over its
    runs, and it says how many runs that is."""
    from papernotes.repro.tracking.client import ui_link

    plain = [r for r in plain_reproductions(runs) if HEADLINE in r.data.metrics]
    if not plain:
        return None
    groups = same_config(plain)
    group = max(groups, key=lambda g: (_mean([r.data.metrics[HEADLINE] for r in g]),
                                       g[0].info.end_time or g[0].info.start_time or 0))
    run = group[0]  # the newest: its link and its date
    p, tags = run.data.params, run.data.tags
    ended = (run.info.end_time or run.info.start_time or 0) / 1000
    overrides = tags.get(OVERRIDES, "").strip()
    if len(overrides) > 100:
        overrides = overrides[:99] + "…"
    config = " · ".join(x for x in (
        f"epochs {p.get('train.epochs', '?')}", f"batch {p.get('train.batch_size', '?')}",
        f"{p.get('world_size', '?')}x {p.get('train.device', '?')}",
        f"linear eval: {p['eval.linear_protocol'].replace('_', ' ')}" if p.get("eval.linear_protocol") else "",
        f"--set {overrides}" if overrides else "") if x)
    return BestRun(run_id=run.info.run_id, link=ui_link(uri, run.info.experiment_id, run.info.run_id, ui_base),
                   date=dt.datetime.fromtimestamp(ended).strftime("%Y-%m-%d"),
                   metrics=_mean_metrics(group), profile=tags.get(PROFILE, "?"),
                   backbone=p.get("model.arch", "?"), dataset=p.get("data.name", "?"),
                   config=config, finished_runs=len(plain), mean_of=len(group),
                   params=dict(p))


def _mean_metrics(group: list) -> dict[str, float]:
    """Each eval/* metric's mean over the runs of `group` that carry it."""
    keys = {k for r in group for k in r.data.metrics if k.startswith("eval/")}
    return {k: _mean([r.data.metrics[k] for r in group if k in r.data.metrics]) for k in sorted(keys)}


def paper_of(ws: Workspace, paper: str) -> tuple[str, str | None, int | None]:
    """The note key to link to, and the title and year: from the catalog card, else the note
    the spec's `paper` names (a key, title or alias: notes/lookup.py), else unknown."""
    from papernotes.notes.lookup import find_note
    from papernotes.notes.sources.catalog import load_card

    try:
        match = find_note(ws, paper)
    except PapernotesError:
        match = None
    key = match.key if match is not None else paper
    for name in dict.fromkeys((paper, key)):
        try:
            card = load_card(name)
            return key, card.title, card.year
        except PapernotesError:
            pass
    if match is not None:
        from papernotes.notes.vault import read_path

        try:
            note = read_path(match.path).note
            return key, note.title or None, note.year
        except PapernotesError:
            pass
    return key, None, None


def collect(ws: Workspace, uri: str) -> tuple[list[BoardRow], int]:
    """The board's rows, sorted by year then note, and how many finished runs belong to specs
    that are gone."""
    from papernotes.repro.spec.header import read_header

    by_spec: dict[str, list] = {}
    for run in finished_runs(uri):
        by_spec.setdefault(run.data.tags[SPEC], []).append(run)
    rows, shown = [], set()
    for path in spec_files(ws):
        try:
            spec = read_header(path)
        except PapernotesError as exc:
            rows.append(BoardRow(spec=path.stem, note=path.stem, problem=str(_relative(exc, ws))))
            continue
        shown.add(spec.name)
        note, title, year = paper_of(ws, spec.paper)
        paper = tuple(PaperNumber(e.metric, e.value, e.backbone, e.dataset, e.source)
                      for e in spec.expected)
        rows.append(BoardRow(spec=path.stem, note=note, title=title, year=year, paper=paper,
                             best=best_run(by_spec.get(spec.name, []), uri, ws.ui_base),
                             command=run_command(path.stem, spec)))
    rows.sort(key=lambda r: (r.year or 9999, r.note, r.spec))
    other = sum(len(runs) for name, runs in by_spec.items() if name not in shown)
    return rows, other


def _relative(exc: PapernotesError, ws: Workspace) -> PapernotesError:
    """The error with its path relative to the workspace (the board is read inside it)."""
    try:
        return exc.at(path=exc.path.resolve().relative_to(ws.root.resolve()))
    except (AttributeError, ValueError):
        return exc


def board_path(ws: Workspace) -> Path:
    return note_path(ws, BOARD_KEY)


def write_board(ws: Workspace, uri: str, *, force: bool = False,
                now: dt.datetime | None = None) -> tuple[Path, list[BoardRow]]:
    """Regenerate notes/board.md (under a lock); refuses a board.md papernotes did not write."""
    path = board_path(ws)
    try:
        lock = locks.FileLock(ws.root / LOCK).acquire(timeout_s=60)
    except locks.Busy as busy:
        raise PapernotesError(f"another process (pid {busy.pid or '?'}) is writing the board",
                              path=path, hint="try again in a minute") from None
    with lock:
        if path.is_file() and not force and not is_generated(read_text_utf8(path)):
            raise PapernotesError("not a board papernotes generated (no marker line); not replaced",
                                  path=path, hint="rename your note, or pass --force to replace it")
        rows, other = collect(ws, uri)
        info = BoardInfo(generated=(now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M"),
                         tracking_uri=uri, other_runs=other)
        from papernotes.repro.results.board_ledger import ledger_section

        atomic_write_text(path, render_board(rows, info) + ledger_section(rows), overwrite=True)
    from papernotes.notes.bases import write_base

    write_base(ws.notes_dir)  # the live board in Obsidian, when missing (never overwritten)
    return path, rows


def refresh_board(ws: Workspace, uri: str) -> Path:
    """After a run: the same as `papernotes board` without --force."""
    return write_board(ws, uri)[0]
