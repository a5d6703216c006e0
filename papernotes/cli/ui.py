"""`papernotes ui`: the MLflow UI on 127.0.0.1 for the workspace's store."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    port: int = typer.Option(5000, "--port", help="Port on 127.0.0.1."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow store URI."),
) -> None:
    """Start `mlflow ui` for this workspace's runs (Ctrl-C stops it)."""
    import os
    import subprocess
    import sys

    from papernotes.workspace import find_workspace
    from papernotes.repro.preflight import check_port_free
    from papernotes.repro.tracking import resolve_tracking_uri

    ws = find_workspace()
    uri = resolve_tracking_uri(tracking_uri, os.environ, ws.tracking_uri)
    check_port_free("127.0.0.1", port, field="--port")
    console.print(f"MLflow UI for {uri} at http://127.0.0.1:{port} (Ctrl-C to stop)",
                  markup=False, highlight=False, soft_wrap=True)
    cmd = [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", uri,
           "--host", "127.0.0.1", "--port", str(port)]
    raise typer.Exit(subprocess.call(cmd, cwd=ws.root))
