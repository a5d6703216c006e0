"""`papernotes runs --collect`: the note rows of `--slurm` runs that FINISHED without one (a job
whose node could not write into the vault: the note's lock, a file system the node lacks), made
from what the MLflow run holds, as publish.py would have made them at the end of the job.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import Workspace
from papernotes.notes.format.regions import region_body
from papernotes.repro.launch.layout import CURVES
from papernotes.repro.results import writeback
from papernotes.repro.run.publish import paper_note, refresh_board
from papernotes.repro.spec.find import spec_for
from papernotes.repro.spec.model import load_spec
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import new_client, ui_link
from papernotes.repro.tracking.runs import list_runs


def collect(ws: Workspace, uri: str, echo: Callable[[str], None] = print, limit: int = 1000) -> list[str]:
    """Write the missing rows; returns the run ids written."""
    done = []
    for row in list_runs(uri, None, limit):
        if not row.get("slurm_job") or row["status"] != "FINISHED":
            continue
        run = new_client(uri).get_run(row["run_id"])
        try:
            spec, _ = load_spec(spec_for(run.data.tags.get(tags.SPEC, ""), ws))
        except PapernotesError as exc:
            echo(f"run {row['run_id'][:8]}: not collected: {exc}")
            continue
        note = paper_note(ws, spec.paper, echo)
        if note is None or _has_row(note, row["run_id"]):
            continue
        run_dir = Path(row.get("run_dir") or "")
        curves = run_dir / CURVES if row.get("run_dir") else None
        writeback.write_back(note, ws.root, run_row(run, uri), spec.expected, curves, spec=spec.name)
        echo(f"run {row['run_id'][:8]} ({row['spec']}, job {row['slurm_job']}): row written in {note}")
        done.append(row["run_id"])
    if done:
        refresh_board(ws, uri, echo)
    return done


def _has_row(note: Path, run_id: str) -> bool:
    text = note.read_bytes().decode("utf-8", errors="replace")
    rows, _ = writeback.existing_runs(region_body(text, "repro", path=note))
    return any(r.startswith(f"| `{run_id[:8]}` |") for r in rows)


def run_row(run, uri: str) -> writeback.RunRow:
    """The note row of a FINISHED run, from its parameters, tags and metrics."""
    params, run_tags, metrics = run.data.params, run.data.tags, dict(run.data.metrics)
    hardware = run_tags.get("hardware") or params.get("train.device", "?")
    world = params.get("world_size", "1")
    if world.isdigit() and int(world) > 1:
        hardware = f"{world}x {hardware}"
    end = run.info.end_time or run.info.start_time
    return writeback.RunRow(
        run_id=run.info.run_id, date=dt.datetime.fromtimestamp(end / 1000).strftime("%Y-%m-%d"),
        spec=f"{run_tags.get(tags.SPEC, '?')}/{run_tags.get(tags.PROFILE, '?')}",
        backbone=params.get("model.arch", "?"),
        dataset=run_tags.get("dataset.name") or params.get("data.name", "?"),
        epochs=int(params.get("train.epochs", 0)), batch=int(params.get("train.batch_size", 0)),
        metrics=metrics, hardware=hardware, wall_time_s=float(metrics.get("time/wall_s", 0.0)),
        link=ui_link(uri, run.info.experiment_id, run.info.run_id),
        linear_protocol=params.get("eval.linear_protocol"))
