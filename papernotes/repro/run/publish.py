"""What a finished `papernotes repro` run leaves behind: its artifacts in MLflow, its row in the
paper's note, and a refreshed board (notes/board.md).

The run itself (MLflow run, folder, engine) is `tracked.py`; this module only publishes the
results of one that FINISHED.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from papernotes.core.atomic import atomic_write_text
from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.core.workspace import Workspace
from papernotes.notes.vault import note_path
from papernotes.repro.launch.layout import LINEAR_EVAL, RESOLVED_SPEC, checkpoint_file
from papernotes.repro.results import writeback
from papernotes.repro.run.options import Launch
from papernotes.repro.run.plots import CurveRecorder
from papernotes.repro.spec.find import note_for
from papernotes.repro.spec.model import Resolved


def log_artifacts(tracker, res: Resolved, cfg_dict: dict, out_dir: Path, curves, rec) -> None:
    resolved = {"spec": res.spec.name, "profile": res.profile, "paper": res.spec.paper,
                "overrides": list(res.overrides), "config": cfg_dict}
    spec_file = out_dir / RESOLVED_SPEC
    atomic_write_text(spec_file, json.dumps(resolved, indent=2) + "\n", overwrite=True)
    tracker.log_artifact(spec_file, "spec")
    if curves is not None:
        tracker.log_artifact(curves, "plots")
    report = rec.eval.get("report") or out_dir / LINEAR_EVAL
    tracker.log_artifact(report, "eval")
    ckpt = rec.end.get("checkpoint") or checkpoint_file(out_dir)
    tracker.log_artifact(ckpt, "checkpoints")


@dataclass(frozen=True)
class Finished:
    """What a FINISHED run has to publish: its id and UI link, its final metrics, its curves
    (None: not drawn) and the events it recorded (run size, hardware, wall time)."""

    run_id: str
    link: str
    metrics: dict
    curves: Path | None
    rec: CurveRecorder


def write_results(launch: Launch, run: Finished) -> Path | None:
    """The run's row in its note (None: no note to write into), then the board."""
    ws, res, echo = launch.ws, launch.res, launch.echo
    note = note_for(launch.opts.name, ws, res) or paper_note(ws, res.spec.paper, echo)
    record(launch, run, note)
    if note is not None:
        patched = writeback.write_back(note, ws.root, run_row(launch, run), res.spec.expected,
                                       run.curves, spec=res.spec.name)
        for pid in patched:
            echo(f"idea patch {pid} in {note.name}: result of run {run.run_id[:8]} recorded "
                 f"(a verdict needs `papernotes idea run`)")
    else:
        echo(f"no note {note_path(ws, res.spec.paper)}; results not written back (make it with "
             f"`{command('new', res.spec.paper)}`)")
    refresh_board(ws, launch.uri, echo)
    return note


def record(launch: Launch, run: Finished, note: Path | None) -> None:
    """The run's description (the note's wikilink, our number, the paper's and the gap's
    explanation) and its ledger table (results/run_record.py); a failure only warns."""
    from papernotes.repro.results.our_protocol import our_protocol
    from papernotes.repro.results.run_record import record_run
    from papernotes.repro.tracking.client import new_client

    res = launch.res
    row = run_row(launch, run)
    top1 = run.metrics.get("eval/linear_top1")
    headline = f"{row.spec}: linear top-1 " + (f"{top1:.2f} (n=1)" if top1 is not None else "–")
    try:
        record_run(new_client(launch.uri), run.run_id, res.spec.paper,
                   note.stem if note is not None else res.spec.paper, headline,
                   our_protocol(res.config, row.dataset), top1)
    except Exception as exc:  # noqa: BLE001 - the run is done; its description is a nicety
        launch.echo(f"warning: the run's description and ledger were not logged: {exc}")


def paper_note(ws: Workspace, paper: str, echo: Callable[[str], None]) -> Path | None:
    """The note the spec's `paper` names (its key, or a title or alias: notes/lookup.py)."""
    from papernotes.notes.lookup import find_note

    try:
        match = find_note(ws, paper)
    except PapernotesError:
        return None
    if not match.exact:
        echo(f"results go into {match.describe(paper)}")
    return match.path


def refresh_board(ws: Workspace, uri: str, echo: Callable[[str], None]) -> None:
    """Regenerate notes/board.md; the run is done and written back, so a failure only warns."""
    try:
        from papernotes.repro.results.board import refresh_board as refresh

        refresh(ws, uri)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the run itself succeeded
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        echo(f"warning: the board was not refreshed: {detail}")


def run_row(launch: Launch, run: Finished) -> writeback.RunRow:
    res, plan, rec = launch.res, launch.plan, run.rec
    cfg = res.config
    start = rec.start or {}
    dataset = (start.get("dataset") or {}).get("name") or cfg.data.name
    hardware = str(start.get("hardware") or cfg.train.device)
    if plan.world_size > 1:
        hardware = f"{plan.world_size}x {hardware}"
    from papernotes.repro.results.our_protocol import our_protocol
    from papernotes.repro.results.run_record import card_ledger, ledger_lines

    ours = our_protocol(cfg, dataset)
    return writeback.RunRow(run_id=run.run_id, date=time.strftime("%Y-%m-%d"),
                            spec=f"{res.spec.name}/{res.profile}", backbone=cfg.model.arch,
                            dataset=dataset, epochs=cfg.train.epochs, batch=cfg.train.batch_size,
                            metrics=run.metrics, hardware=hardware,
                            wall_time_s=float(rec.end.get("wall_time_s") or 0.0), link=run.link,
                            protocol=ours.text(), linear_protocol=cfg.eval.linear_protocol,
                            ledger=tuple(ledger_lines(card_ledger(
                                res.spec.paper, ours, run.metrics.get("eval/linear_top1")))))
