"""`papernotes demo` from an empty folder, and `papernotes ui` serving the workspace's store."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core import locks
from papernotes.notes.format.regions import region_body
from papernotes.repro.results.writeback import existing_runs

from .conftest import free_port, tiny_args


@pytest.mark.slow  # workspace + note + a tiny real run: ~50 s on the shared machine
def test_demo_from_an_empty_folder(tmp_path):
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
    from papernotes.core.workspace import init_workspace

    init_workspace(tmp_path / "ws")
    monkeypatch.chdir(tmp_path / "ws")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["ui", "--port", str(port)])
    assert result.exit_code == 2 and f"port {port}" in result.output


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (from /proc: this machine is Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow  # starts the real MLflow server behind `papernotes ui`: ~25 s on the shared machine
def test_ui_serves_the_workspace_store_and_ctrl_c_stops_every_process(tmp_path, empty_store):
    import shutil

    from papernotes.core.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    # this test plays a `repro` that is making the store: `ui` must wait for it, not open it
    creating = locks.FileLock(ws.root / "mlflow.db.lock").acquire()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    # its own session, like a terminal's foreground job: Ctrl-C is SIGINT to the whole group
    proc = subprocess.Popen([sys.executable, "-m", "papernotes", "ui", "--port", str(port)],
                            cwd=ws.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    lines: list[str] = []  # its output as it comes: Ctrl-C only once it has said "ready"
    reader = threading.Thread(target=lambda: lines.extend(iter(lambda: proc.stdout.readline().decode(), "")))
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any(line.startswith("waiting for the MLflow store") for line in lines):
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        assert f"created by pid {os.getpid()}" in "".join(lines) and not (ws.root / "mlflow.db").exists()
        shutil.copy(empty_store, ws.root / "mlflow.db")  # a made store: the server starts in seconds
        MlflowClient(tracking_uri=f"sqlite:///{ws.root / 'mlflow.db'}").create_experiment("in-this-vault")
        (ws.root / "mlflow.db.lock").unlink()  # as a creator does: the lock file goes, then the lock
        creating.release()
        deadline = time.monotonic() + 120
        while not any(line.startswith("ready: ") for line in lines):
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.25)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as resp:
            assert resp.status == 200
        url = f"http://127.0.0.1:{port}/api/2.0/mlflow/experiments/get-by-name?experiment_name="
        with urllib.request.urlopen(url + "in-this-vault", timeout=10) as resp:
            assert resp.status == 200  # it serves the workspace's own store
        # the notes' run links follow the port it serves on (two vaults: 5000 and 5001)
        from papernotes.core.workspace import find_workspace

        assert find_workspace(ws.root).ui_base == f"http://127.0.0.1:{port}"
        server = descendants(proc.pid)
        assert server  # the mlflow server and its workers
        t0 = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        reader.join(timeout=30)
        out = "".join(lines)
        assert time.monotonic() - t0 < 20 and proc.returncode == 0, out
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert "Traceback" not in out and "Warning" not in out and "INFO" not in out, out
    assert out.splitlines()[-1] == "MLflow UI stopped" and f"ready: http://127.0.0.1:{port}" in out
    assert [pid for pid in server if alive(pid)] == []  # no orphaned server or worker
    with pytest.raises(ConnectionRefusedError):  # nothing listens on the port any more
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
