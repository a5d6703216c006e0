"""`papernotes repro SPEC --attach RUN_ID`: follow a submitted (`--slurm`) run: its job's state
and the log of its node 0 task (where the runner prints its progress), until the job ends.
Ctrl-C stops following; the job runs on. A requeued job appends to the same log, so following
goes on across restarts.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.core.workspace import find_workspace
from papernotes.repro.launch.slurm_jobs import FINAL, SubmittedJob, job_state, read_job
from papernotes.repro.tracking.client import resolve_tracking_uri
from papernotes.repro.tracking.runs import list_runs


def find_submitted(name: str, run_id: str, uri: str, limit: int = 500) -> tuple[dict, SubmittedJob]:
    """The run (an id or a unique prefix) among the spec's newest runs, and its job."""
    rows = [r for r in list_runs(uri, name, limit) if r["run_id"].startswith(run_id)]
    if not rows:
        raise PapernotesError(f"no run {run_id!r} of {name} in {uri}", field="--attach",
                              hint=f"`{command('runs', name)}` lists them")
    if len(rows) > 1:
        raise PapernotesError(f"run id prefix {run_id!r} matches {len(rows)} runs", field="--attach",
                              hint=", ".join(r["run_id"] for r in rows[:4]))
    row = rows[0]
    job = read_job(row.get("run_dir"))
    if job is None:
        raise PapernotesError(f"run {row['run_id'][:8]} was not submitted with --slurm", field="--attach",
                              hint="its progress is in `papernotes runs` and the MLflow UI")
    return row, job


def attach_run(name: str, run_id: str, tracking_uri: str | None, echo: Callable[[str], None] = print,
               poll_s: float = 2.0, state_every_s: float = 10.0) -> str:
    """Follow the run's job until it ends; returns the job's last state."""
    ws = find_workspace()
    uri = resolve_tracking_uri(tracking_uri, os.environ, ws.tracking_uri)
    row, job = find_submitted(name, run_id, uri)
    state = job_state(job)
    echo(f"run {row['run_id']} (MLflow {row['status']}), job {job.job_id} {state}; log {job.log}")
    offset, checked = 0, time.monotonic()
    try:
        while True:
            offset = _show_new(job.log, offset, echo)
            if time.monotonic() - checked >= state_every_s:
                new, checked = job_state(job), time.monotonic()
                if new != state:
                    echo(f"job {job.job_id}: {new}")
                    state = new
            if state in FINAL or state == "UNKNOWN" and job.cluster == "local":
                _show_new(job.log, offset, echo)
                return state
            time.sleep(poll_s)
    except KeyboardInterrupt:
        echo(f"stopped following; job {job.job_id} runs on")
        return state


def _show_new(log: Path, offset: int, echo: Callable[[str], None]) -> int:
    """Echo the log's complete new lines from `offset`; the new offset."""
    try:
        with log.open("rb") as fh:
            fh.seek(offset)
            chunk = fh.read()
    except OSError:
        return offset  # not written yet (the job is pending)
    end = chunk.rfind(b"\n") + 1
    for line in chunk[:end].decode("utf-8", errors="replace").splitlines():
        echo(line)
    return offset + end
