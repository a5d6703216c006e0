"""`papernotes runs [NAME]`: the workspace's MLflow runs with their key metrics."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors

KEY_METRICS = {"eval/linear_top1": "lin@1", "eval/linear_top5": "lin@5", "eval/knn_top1": "kNN@1"}


@handles_errors
def command(
    name: Optional[str] = typer.Argument(None, help="Only runs of this spec (e.g. simclr)."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow tracking URI."),
    limit: int = typer.Option(20, "--limit", help="Newest runs to show."),
) -> None:
    """List runs (newest first): spec/profile, status, key metrics, run id."""
    import os

    from rich.table import Table

    from papernotes.workspace import find_workspace
    from papernotes.repro.runs import list_runs
    from papernotes.repro.tracking import resolve_tracking_uri

    ws = find_workspace()
    uri = resolve_tracking_uri(tracking_uri, os.environ, ws.tracking_uri)
    rows = list_runs(uri, name, limit)
    if not rows:
        console.print("no runs yet (start one with `papernotes repro simclr --profile demo`)")
        return
    table = Table("run", "spec/profile", "status", "start", *KEY_METRICS.values(), "world")
    for r in rows:
        table.add_row(r["run_id"][:8], r["spec"], r["status"], r["start"][5:],
                      *(f"{r['metrics'][k]:.2f}" if k in r["metrics"] else "–" for k in KEY_METRICS),
                      r["world_size"])
    console.print(table)
