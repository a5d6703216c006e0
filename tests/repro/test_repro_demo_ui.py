"""`papernotes demo` from an empty folder, and `papernotes ui` serving the workspace's store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from .conftest import tiny_args
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.format.regions import region_body
from papernotes.repro.preflight import free_port
from papernotes.repro.writeback import existing_runs


@pytest.mark.slow  # workspace + note + a tiny real run: ~50 s on the shared machine
def test_demo_from_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    root = tmp_path / "fresh"
    root.mkdir()
    result = CliRunner().invoke(app, ["demo", str(root), *tiny_args()])
    assert result.exit_code == 0, result.output
    assert (root / "papernotes.yaml").is_file() and (root / "repro" / "simclr.yaml").is_file()
    note = root / "notes" / "simclr.md"
    text = note.read_text(encoding="utf-8")
    rows, embeds = existing_runs(region_body(text, "repro"))
    runs = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}").search_runs(
        [MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}").get_experiment_by_name("simclr").experiment_id])
    assert len(rows) == 1 and len(runs) == 1 and runs[0].info.run_id in rows[0]
    assert runs[0].info.status == "FINISHED" and len(embeds) == 1
    out = result.output
    assert str(note) in out and "papernotes ui" in out and f"sqlite:///{root / 'mlflow.db'}" in out


def test_ui_refuses_a_busy_port(tmp_path, monkeypatch):
    from papernotes.workspace import init_workspace

    init_workspace(tmp_path / "ws")
    monkeypatch.chdir(tmp_path / "ws")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["ui", "--port", str(port)])
    assert result.exit_code == 2 and f"port {port}" in result.output


@pytest.mark.slow  # starts the real MLflow UI: ~60 s on the shared machine
def test_ui_serves_the_workspace_store(tmp_path):
    from papernotes.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    proc = subprocess.Popen([sys.executable, "-m", "papernotes", "ui", "--port", str(port)],
                            cwd=ws.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
                    assert resp.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline
                time.sleep(0.5)
        assert (ws.root / "mlflow.db").is_file()  # the UI opened the workspace's own store
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
