"""The one advisory file lock of papernotes, for everything processes must not share at once:
a note while it is rewritten (locked_update.py), a run folder while a process trains in it, an
experiment arm's folder, the board while it is regenerated, and a new MLflow store while its
schema is made (repro/tracking/store_lock.py).

The lock belongs to an open file: it goes away when the process exits, however it exits, so a
crashed process never leaves a stale lock behind. The holder's pid is written into the lock
file for the message of whoever is refused. POSIX locks with `flock`; Windows with
`msvcrt.locking` on the file's first byte (this module is the only place that knows).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]


class Busy(Exception):
    """The lock is held by another process (or another open of the file); `.pid` if known."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is locked" + (f" by pid {pid}" if pid else ""))
        self.path = path
        self.pid = pid


def _try_lock(fd: int) -> bool:
    """Lock the open file `fd` exclusively if nobody holds it (True), else False at once."""
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if msvcrt is not None:  # pragma: no cover - Windows
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
    return True  # no lock on this system


def _lock(fd: int) -> None:
    """Lock the open file `fd` exclusively, waiting as long as another process holds it."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    while msvcrt is not None:  # pragma: no cover - Windows: LK_LOCK gives up after 10 s
        try:
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            return
        except OSError:
            continue


class FileLock:
    """An exclusive lock on `path` (made if missing, with `mode`). `acquire(timeout_s=0)` fails
    at once with Busy, `acquire(timeout_s=None)` waits as long as it takes."""

    def __init__(self, path: str | Path, mode: int = 0o644) -> None:
        self.path = Path(path)
        self.mode = mode
        self._fd: int | None = None

    def acquire(self, timeout_s: float | None = 0.0, poll_s: float = 0.05) -> "FileLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, self.mode)
        try:
            if timeout_s is None:
                _lock(fd)
            else:
                deadline = time.monotonic() + timeout_s
                while not _try_lock(fd):
                    if time.monotonic() >= deadline:
                        raise Busy(self.path, holder_pid(self.path))
                    time.sleep(poll_s)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file drops the lock

    @property
    def held(self) -> bool:
        return self._fd is not None

    @property
    def fd(self) -> int | None:
        """The locked file's descriptor (a child given it via `pass_fds` shares the lock)."""
        return self._fd

    def names_file(self) -> bool:
        """Whether `path` still names the file locked here (False once a previous holder removed
        it: whatever it guarded is done)."""
        return self._fd is not None and same_file(self.path, self._fd)

    def __enter__(self) -> "FileLock":
        return self if self.held else self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def try_lock(path: str | Path) -> FileLock | None:
    """The lock on `path`, held, or None at once when another process holds it."""
    try:
        return FileLock(path).acquire()
    except Busy:
        return None


def is_locked(path: str | Path) -> bool:
    """Whether some process holds the lock on `path` now (a missing file is unlocked; on Windows
    this cannot be seen without taking the lock: False)."""
    path = Path(path)
    if fcntl is None or not path.is_file():
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return not _try_lock(fd)
    finally:
        os.close(fd)


def same_file(path: str | Path, fd: int) -> bool:
    """Whether `path` names the open file `fd` (False when `path` is gone or another file)."""
    try:
        now, held = os.stat(path), os.fstat(fd)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def wait_free(path: str | Path, timeout_s: float, poll_s: float = 0.05) -> bool:
    """Wait until no process holds the lock on `path` (True) or `timeout_s` passed (False);
    at once when nobody does. The file is never made or written."""
    deadline = time.monotonic() + timeout_s
    while is_locked(path):
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll_s)
    return True


def holder_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
