"""Advisory file locks (POSIX `flock`) for what concurrent `papernotes repro` runs must not share:
a run folder while a process trains in it, the board while it is regenerated, and a new MLflow
store while its schema is made (store_lock.py).

The lock belongs to an open file: it goes away when the process exits, however it exits, so a
crashed run never leaves a stale lock behind. The holder's pid is written into the lock file for
the message of whoever is refused. Without `fcntl` (Windows) locks are no-ops.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class Busy(Exception):
    """The lock is held by another process (or another open of the file); `.pid` if known."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is locked" + (f" by pid {pid}" if pid else ""))
        self.path = path
        self.pid = pid


class FileLock:
    """An exclusive lock on `path` (made if missing); `acquire(timeout_s=0)` fails at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, timeout_s: float = 0.0, poll_s: float = 0.05) -> "FileLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout_s
        while fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise Busy(self.path, holder_pid(self.path)) from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file drops the flock

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


def is_locked(path: str | Path) -> bool:
    """Whether some process holds the lock on `path` now (a missing file is unlocked)."""
    path = Path(path)
    if fcntl is None or not path.is_file():
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


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
