"""`papernotes runs [NAME]`: the workspace's MLflow runs with their key metrics."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors
from papernotes.cli.tables import Column

KEY_METRICS = {"eval/linear_top1": "lin@1", "eval/linear_top5": "lin@5", "eval/knn_top1": "kNN@1"}

# Narrow terminals lose the columns of least value first (`cli/tables.py`).
COLUMNS = [Column("run", 10), Column("spec/profile", 9), Column("what", 8), Column("status", 7),
           Column("start", 3), Column("world", 1)]
JOB = Column("job", 6, whole=True)
METRIC_COLUMNS = [Column("lin@1", 6, "right"), Column("lin@5", 2, "right"), Column("kNN@1", 4, "right")]


@handles_errors
def command(
    name: Optional[str] = typer.Argument(None, help="Only runs of this spec, or of the specs of this note."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow tracking URI."),
    limit: int = typer.Option(20, "--limit", help="Newest runs to show."),
    collect: bool = typer.Option(False, "--collect", help="Write the note rows of FINISHED --slurm "
                                 "runs whose job could not (its node could not reach the vault)."),
) -> None:
    """List runs (newest first): spec/profile, status, key metrics, run id."""
    import os

    from papernotes.cli.tables import fit_table, hidden_note  # noqa: F811
    from papernotes.core import shell
    from papernotes.core.workspace import find_workspace
    from papernotes.repro.tracking.client import resolve_tracking_uri
    from papernotes.repro.tracking.runs import grouped, list_runs, what_runs

    ws = find_workspace()
    uri = resolve_tracking_uri(tracking_uri, os.environ, ws.tracking_uri)
    if collect:
        from papernotes.repro.run.collect import collect as collect_rows

        def echo(line: str) -> None:
            console.print(line, markup=False, highlight=False, soft_wrap=True)

        if not collect_rows(ws, uri, echo):
            echo("nothing to collect: every FINISHED --slurm run has its row")
        return
    kind, key = what_runs(ws, name) if name else ("", "")
    rows = list_runs(uri, key if kind == "spec" else None, limit, note=key if kind == "note" else None)
    if not rows:
        start = (shell.command("repro", key) if kind == "spec"
                 else shell.command("repro", "simclr", "--profile", "demo", "--device", "cpu"))
        console.print(f"no runs{' of ' + key if key else ''} yet (`{start}` starts one)",
                      markup=False, highlight=False, soft_wrap=True)
        return
    jobs = _job_states(rows)
    columns = [COLUMNS[0], COLUMNS[1], COLUMNS[2], COLUMNS[3], *([JOB] if jobs else []),
               COLUMNS[4], *METRIC_COLUMNS, COLUMNS[5]]
    cells = [[r["run_id"][:8], r["spec"], what(r), r["status"],
              *([jobs.get(r["run_id"], "–")] if jobs else []), r["start"][5:],
              *(_metric(r, k) for k in KEY_METRICS), str(r["world_size"])] for r in grouped(rows)]
    table, hidden = fit_table(columns, cells, console.width, cap=True)  # low-value columns go first
    console.print(table)
    if hidden:
        console.print(hidden_note(hidden), markup=False, highlight=False, soft_wrap=True)
    for r in rows:
        if r["status"] == "KILLED" and r.get("ended"):
            console.print(f"{r['run_id'][:8]} KILLED: {r['ended']}", markup=False,
                          highlight=False, soft_wrap=True)


def what(row: dict) -> str:
    """The run's role: `repro`, `idea KEY#ID` for an idea run's parent, and under it its arms,
    `└ baseline s0`, `└ patch s0`."""
    if row["role"] == "parent":
        return f"idea {row['patch']}"
    if row["role"] == "seeds":
        return "seeds"
    if row["role"] == "seed":
        return f"{'└ ' if row.get('parent') else ''}seed {row.get('seed')}"
    if row["role"] in ("baseline", "patch"):
        seed = f" s{row['seed']}" if row.get("seed") is not None else ""
        return f"{'└ ' if row.get('parent') else ''}{row['role']}{seed}"
    return "repro"


def _job_states(rows: list[dict]) -> dict[str, str]:
    """{run id: "JOBID STATE"} for the `--slurm` runs among `rows` (SLURM's word beside MLflow's)."""
    from papernotes.repro.launch.slurm_jobs import job_state, read_job

    out = {}
    for r in rows:
        job = read_job(r.get("run_dir")) if r.get("slurm_job") else None
        if job is not None:
            out[r["run_id"]] = f"{job.job_id} {job_state(job)}"
        elif r.get("slurm_job"):
            out[r["run_id"]] = f"{r['slurm_job']} ?"
    return out


def _metric(row: dict, key: str) -> str:
    """A run's value of `key`; a `repro --seeds` parent's mean over its seeds (`KEY.mean`)."""
    metrics = row["metrics"]
    value = metrics.get(key, metrics.get(f"{key}.mean") if row["role"] == "seeds" else None)
    return "–" if value is None else f"{value:.2f}"
