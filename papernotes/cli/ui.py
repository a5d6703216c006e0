"""`papernotes ui`: the MLflow UI on 127.0.0.1 for the workspace's store."""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors


@handles_errors
def command(
    port: Optional[int] = typer.Option(None, "--port", help="Port on 127.0.0.1 (default: "
                                       "the last one used, else papernotes.yaml's ui_port, else 5000)."),
    tracking_uri: Optional[str] = typer.Option(None, "--tracking-uri", help="MLflow store URI."),
    workers: int = typer.Option(1, "--workers", min=1, help="Server worker processes."),
) -> None:
    """Serve the MLflow UI for this workspace's runs (Ctrl-C stops it, and all its processes).

    The server's log goes to .papernotes/ui.log in the workspace.
    """
    import os

    from papernotes.core.workspace import find_workspace
    from papernotes.repro.launch.preflight import check_port_free, check_store_folder
    from papernotes.repro.tracking.client import resolve_tracking_uri
    from papernotes.repro.tracking.ui_server import serve

    ws = find_workspace()
    uri = resolve_tracking_uri(tracking_uri, os.environ, ws.tracking_uri)
    echo = lambda s: console.print(s, markup=False, highlight=False, soft_wrap=True)  # noqa: E731
    if uri.startswith(("http://", "https://")):
        echo(f"runs are tracked on the server {uri}: its UI is there")
        return
    check_store_folder(uri)  # `mlflow server` would make the folders of a mistyped path
    port = port or ws.ui_port
    check_port_free("127.0.0.1", port, field="--port")
    ws.record_ui_port(port)  # the notes' run links follow it from now on
    serve(uri, port, ws.root, ws.root / ".papernotes" / "ui.log", echo, workers=workers)
