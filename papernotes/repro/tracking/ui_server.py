"""`papernotes ui`: an MLflow tracking server with its UI on 127.0.0.1, for the workspace's store,
started quietly and stopped cleanly.

`mlflow server` runs in a session (process group) of its own, so a Ctrl-C at the terminal
reaches papernotes alone, never the server's workers halfway through their imports (which is
what printed tracebacks). papernotes forwards SIGINT/SIGTERM to the whole group as SIGTERM,
waits for it, and kills the group if it has not gone within `stop_s`. The server's own output
(deprecation warnings, log lines, the access log) goes to a log file, quieted at the source
(uvicorn at warning level, no access log, MLflow's loggers at WARNING, no job runner).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError
from papernotes.repro.tracking.store_lock import done, hold_for_creation, wait_for_store

QUIET_ENV = {
    "PYTHONWARNINGS": "ignore::DeprecationWarning,ignore::FutureWarning,ignore::UserWarning",
    "MLFLOW_LOGGING_LEVEL": "WARNING",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",  # no huey job runner: nothing here uses jobs
}


def server_command(uri: str, port: int, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", uri,
            "--registry-store-uri", uri, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--uvicorn-opts", "--log-level warning --no-access-log"]


def healthy(port: int, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a recycled group id of another user
        return False
    return True


def stop_group(proc: subprocess.Popen, stop_s: float = 10.0) -> None:
    """SIGTERM to the server's process group, then SIGKILL what is left after `stop_s`."""
    pgid = proc.pid  # start_new_session: the server leads its own group
    for sig, wait_s in ((signal.SIGTERM, stop_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if proc.poll() is not None and not group_alive(pgid):
                return
            time.sleep(0.1)
    proc.wait(timeout=5)


def _tail(log: Path, lines: int = 3) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " / ".join(x.strip() for x in text.strip().splitlines()[-lines:])


def serve(uri: str, port: int, cwd: Path, log: Path, echo: Callable[[str], None], *,
          workers: int = 1, ready_s: float = 180.0, stop_s: float = 10.0) -> int:
    """Run the server until Ctrl-C/SIGTERM (exit status 0) or until it dies (one-line error)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **QUIET_ENV}
    env.pop("MLFLOW_TRACKING_URI", None)
    url = f"http://127.0.0.1:{port}"
    old = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM: like Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)
    proc = None
    wait_for_store(uri, echo)  # a repro making this store: let it finish its migrations first
    creating = hold_for_creation(uri)  # a new store: `mlflow server` makes it; nobody opens it meanwhile
    try:
        with log.open("wb") as out:
            proc = subprocess.Popen(server_command(uri, port, workers), cwd=cwd, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        echo(f"MLflow UI for {uri}: starting at {url} (Ctrl-C stops it; log: {log})")
        deadline = time.monotonic() + ready_s
        while not healthy(port):
            if proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                stop_group(proc, stop_s)
                raise PapernotesError(f"the MLflow UI did not answer within {ready_s:.0f} s",
                                      path=log, hint=_tail(log) or "see the log")
            time.sleep(0.25)
        else:
            if creating is not None:  # mlflow server makes its stores before it answers
                done(creating)
                creating.release()
                creating = None
            echo(f"ready: {url}")
        code = proc.wait()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if proc is not None:
            stop_group(proc, stop_s)
        echo("MLflow UI stopped")
        return 0
    finally:
        if creating is not None:  # the server never answered: its lock file tells the next creator
            creating.release()
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if group_alive(proc.pid):
        stop_group(proc, stop_s)
    raise PapernotesError(f"the MLflow UI exited with status {code}", path=log,
                          hint=_tail(log) or "see the log")
