"""A new MLflow store is created while training starts, not before it.

Creating a SQLite store runs MLflow's schema migrations: 19-38 s measured on the shared 2-core
machine, longer than a whole smoke run. A launch on a workspace without a store therefore
starts training at once and creates the store in the background (`StoreWarmup`); the engine's
events wait (`DeferredStart`) until the store is ready, then the run is opened in the main
thread (MLflow's active run belongs to the thread that opened it) and the waiting events are
logged in order.

The migrations run in a child process, not in the thread: they are Python (alembic), and in a
thread they held the GIL against the engine's own start-up (data, model), which then started
later than with no warm-up at all on a quiet machine. The child runs at a lower priority (nice 10),
so on a busy machine it takes idle cycles rather than the training's, and in its own session, so
a Ctrl-C meant for training does not stop it half-way through the migrations.

Whoever makes the store holds its creation lock (store_lock.py) throughout; the child shares it
(the locked file is passed to it) and removes the lock file once the store is made, so a
`papernotes repro` killed meanwhile leaves a store that is either made or still locked. A second
launch meanwhile sees a store that is not ready, trains as well and waits for the lock in its
warm-up thread; it opens the store only once the first is done.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from typing import Callable

from papernotes.repro.tracking import store_lock
from papernotes.repro.tracking.client import new_client, tracking_error


def store_is_new(uri: str) -> bool:
    """A SQLite store that is not ready: its file does not exist yet, or it is being made (so
    it holds nothing to reuse or resume, and opening it now would race its migrations)."""
    return not store_lock.store_ready(uri)  # any store but SQLite is always ready


_CREATE = """
import logging, os, sys
os.nice(10)  # training comes first: on a busy machine the store waits for a free core
for name in ("mlflow.store", "alembic"):
    logging.getLogger(name).setLevel(logging.WARNING)
from mlflow.tracking import MlflowClient
MlflowClient(tracking_uri=sys.argv[1]).search_experiments(max_results=1)
if len(sys.argv) > 3:  # made: remove the creation lock's file if it is still the one held
    from pathlib import Path
    from papernotes.core.locks import same_file
    fd, lock = int(sys.argv[2]), Path(sys.argv[3])
    if same_file(lock, fd):
        lock.unlink(missing_ok=True)
"""


def create_store(uri: str, lock=None) -> None:
    """Make the store (run its schema migrations) in a child Python in its own session; with
    `lock` (store_lock.hold_for_creation) the child shares it and removes its file when done."""
    extra = [str(lock.fd), str(lock.path)] if lock is not None and lock.fd is not None else []
    out = subprocess.run([sys.executable, "-c", _CREATE, uri, *extra], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, pass_fds=tuple(int(x) for x in extra[:1]))
    if out.returncode != 0:
        raise RuntimeError(error_line(out.stderr) or f"exit status {out.returncode}")


def error_line(stderr: str) -> str | None:
    """The exception's own line of a child's traceback, without its type (SQLAlchemy follows it
    with the SQL and a link); else the last line."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        found = re.match(r"[A-Za-z_][\w.]*(?:Error|Exception): (.+)", line)
        if found:
            return found.group(1)
    return lines[-1] if lines else None


class StoreWarmup:
    """Has the store made (`create_store`: a child process) or opened, from a background thread
    that waits for it; `client()` waits for that thread. When another process is making the
    store, the thread waits for that (`wait_s` at most) instead; `waiting` is then the line to
    tell the user."""

    def __init__(self, uri: str, wait_s: float = store_lock.WAIT_S) -> None:
        self.uri, self.wait_s = uri, wait_s
        self.waiting = store_lock.waiting_line(uri)
        self.error: Exception | None = None
        self._client = None
        self._thread = threading.Thread(target=self._run, name="mlflow-store", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            lock = store_lock.hold_for_creation(self.uri, self.wait_s)
            if lock is not None:  # this process makes it (or finishes a creation cut short)
                try:
                    create_store(self.uri, lock)
                finally:
                    lock.release()
            client = new_client(self.uri)  # the store exists now: opening it takes a second
            client.search_experiments(max_results=1)
            self._client = client
        except Exception as exc:  # reported in the main thread by client()
            self.error = exc

    def ready(self) -> bool:
        return not self._thread.is_alive()

    def client(self):
        self._thread.join()
        if self.error is not None:
            raise tracking_error(self.error, self.uri)
        return self._client


class DeferredStart:
    """An event sink in front of a run that opens once the store is ready.

    `open()` opens the run (waiting for the store if need be) and logs the events that came
    before it; until then each event is kept, and the run is opened by the first event that
    finds the store ready. Without a warm-up the run is opened by the first `open()`."""

    def __init__(self, sink: Callable[[dict], None], start: Callable[[], None],
                 warmup: StoreWarmup | None = None) -> None:
        self.sink, self.start, self.warmup = sink, start, warmup
        self.waiting: list[dict] = []
        self.opened = False

    def open(self) -> None:
        if self.opened:
            return
        if self.warmup is not None:
            self.warmup.client()  # waits; a store that could not be made is one line
        self.start()
        self.opened = True
        waiting, self.waiting = self.waiting, []
        for event in waiting:
            self.sink(event)

    def __call__(self, event: dict) -> None:
        if not self.opened:
            self.waiting.append(event)
            if self.warmup is None or not self.warmup.ready():
                return
            self.open()
            return
        self.sink(event)
