"""The creation lock of a new SQLite MLflow store: nobody opens a store while its schema is made.

MLflow makes a SQLite store's tables at once and then runs its alembic migrations (tens of
seconds here); a second process that opens the file in between finds the tables, an old schema
version, and fails ("out-of-date database schema") or races the migrations. So whoever creates
a store holds an advisory lock on `<store>.lock` (e.g. `mlflow.db.lock`, beside it) from before
the file exists until the migrations are done, and then removes the lock file while still
holding it. Hence:

- a store is ready when its file exists and its lock file does not (two `stat`s: opening a
  made store costs what it did before);
- a lock file that is held: the store is being made; everyone else waits for it (`WAIT_S` at
  most, then one line naming the pid that holds it);
- a lock file that nobody holds: a creation that did not finish (its process was killed);
  the next creator takes the lock, sets the half-made file aside (`<store>.unfinished`: MLflow
  cannot open it, "table ... already exists", nor can `mlflow db upgrade`; it holds no run,
  since nobody logs to a store that is not ready) and makes the store anew; until then readers
  (`runs`, `board`, `--resume`) find nothing to read in it (`reader`).

The lock belongs to an open file (locks.py), so a killed creator never leaves it held.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from papernotes.core import locks
from papernotes.core.errors import PapernotesError
from papernotes.repro.tracking.client import new_client, read_error

WAIT_S = 600.0  # a store's migrations take 20-40 s on a busy 2-core machine; hung beyond this


def store_file(uri: str) -> Path | None:
    """The SQLite file of a `sqlite:///` URI (None for any other store)."""
    return Path(uri[len("sqlite:///"):]) if uri.startswith("sqlite:///") else None


def lock_file(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def store_missing(uri: str) -> bool:
    """A SQLite store with no file yet: nothing to read, and opening it would create it."""
    db = store_file(uri)
    return db is not None and not db.is_file()


def reader(uri: str, echo: Callable[[str], None] | None = None):
    """An `MlflowClient` to read the store's runs, or None when it has none to read: no file yet
    (opening it would create it), or the file of a creation that was cut short (no run was
    ever logged to it; MLflow cannot open it; the next `repro` sets it aside). Waits first while
    another process makes the store (`wait_for_store`: never open it half-made). A store MLflow
    cannot open is one line (`client.read_error`)."""
    if store_missing(uri):
        return None
    wait_for_store(uri, echo)
    if not store_ready(uri):  # its lock file is left, held by nobody: a creation cut short
        return None
    try:
        return new_client(uri)  # opening checks (and may upgrade) its schema
    except Exception as exc:
        raise read_error(exc, uri) from None


def store_ready(uri: str) -> bool:
    """Made and not being made: the file exists and no creation lock is left beside it
    (any store but SQLite: always)."""
    db = store_file(uri)
    return db is None or (db.is_file() and not lock_file(db).exists())


def waiting_line(uri: str) -> str | None:
    """What to tell the user while another process makes the store (None: nobody does now)."""
    db = store_file(uri)
    if db is None or not locks.is_locked(lock_file(db)):
        return None
    return f"waiting for the MLflow store at {db} being created by {_creator(db)}"


def _creator(db: Path) -> str:
    """Who holds the creation lock, for messages: "pid N" (from the lock file), else "another process"."""
    pid = locks.holder_pid(lock_file(db))
    return f"pid {pid}" if pid else "another process"


def busy_error(uri: str, timeout_s: float) -> PapernotesError:
    db = store_file(uri)
    who = _creator(db)
    return PapernotesError(f"the MLflow store is still being created by {who} after {timeout_s:g} s",
                           path=db, field="tracking_uri",
                           hint=f"wait for it, or stop {who} and run this again")


def wait_for_store(uri: str, echo: Callable[[str], None] | None = None,
                   timeout_s: float = WAIT_S) -> None:
    """Return once no process is making the store at `uri`: at once when nobody is (the lock
    file is absent, or not held); else say so in one line and wait, `timeout_s` at most."""
    db = store_file(uri)
    if db is None or not lock_file(db).exists():
        return
    line = waiting_line(uri)
    if line is None:
        return
    if echo is None:
        from papernotes.core.notices import inform

        inform(line)
    else:
        echo(line)
    if not locks.wait_free(lock_file(db), timeout_s):
        raise busy_error(uri, timeout_s)


def hold_for_creation(uri: str, timeout_s: float = WAIT_S) -> locks.FileLock | None:
    """The creation lock of a SQLite store, held (waiting `timeout_s` at most for another
    creator); None when that creator finished meanwhile (it removed the lock file: the store is
    ready). The holder makes the store, then removes the lock file (`done`) before releasing."""
    db = store_file(uri)
    if db is None or store_ready(uri):
        return None
    lock = locks.FileLock(lock_file(db))
    try:
        lock.acquire(timeout_s)
    except locks.Busy:
        raise busy_error(uri, timeout_s) from None
    if not lock.names_file():  # the one we waited for removed it: the store is made
        lock.release()
        return None
    set_aside_unfinished(db)
    return lock


SQLITE_SIDE_FILES = ("", "-journal", "-wal", "-shm")  # the store and SQLite's files beside it


def set_aside_unfinished(db: Path) -> Path | None:
    """Move the file of a creation that was cut short (and SQLite's journal beside it, so that
    the pair stays whole and the new store does not meet an old hot journal) to
    `<store>.unfinished`, replacing an older one; says so in one line. None: there was none."""
    if not db.is_file():
        return None
    aside = db.with_name(db.name + ".unfinished")
    for side in SQLITE_SIDE_FILES:
        src = db.with_name(db.name + side)
        if src.exists():
            os.replace(src, aside.with_name(aside.name + side))
        else:  # an older set-aside's journal must not pair with this file
            aside.with_name(aside.name + side).unlink(missing_ok=True)
    from papernotes.core.notices import inform

    inform(f"the MLflow store's creation was cut short (its process was killed): its "
           f"half-made file is set aside as {aside.name}, and the store is made anew", path=db)
    return aside


def done(lock: locks.FileLock) -> None:
    """The store is made: remove its lock file (while it is still held, so nobody sees a
    store without a lock file before it is ready)."""
    if lock.names_file():
        lock.path.unlink(missing_ok=True)
