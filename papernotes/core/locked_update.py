"""Read-modify-write of a note that other writers may change at the same moment.

Two kinds of writers meet on a note: papernotes processes (`idea set`, `repro`, parallel
`idea run` write-backs) and editors that know nothing of papernotes (Obsidian, which writes a
file in place). `update_text(path, change)`:

1. holds the note's lock (locks.py, on a lock file named after the note's real path,
   in the system's temporary folder, so the vault itself gets no extra files), so papernotes
   processes take turns: none can overwrite another's result;
2. reads the note through a descriptor it keeps open, applies `change(text) -> text`, writes
   the result to a temporary file, and just before the rename checks that the note is still
   what it read (same bytes, same file); if an editor changed it in the meantime, the change is
   carried over to the new text: its line edits merged into it (`merge3`), or, where they
   clash with the editor's, `change` applied again to the new text;
3. after the rename, watches the replaced file for `SETTLE_S`: an in-place write that was
   already under way lands in that file, not in the new one; if one does, the change is carried
   over to the edited text the same way and written once more.

An editor's edit made while papernotes reads, changes and writes is therefore never lost; the
one case this cannot see is an editor that writes text it read before papernotes wrote (that
editor would lose papernotes' change; Obsidian reloads a file that changed on disk). `change`
may run several times, always on the latest text, and must not have other side effects.
"""

from __future__ import annotations

import hashlib
import os
import random
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from papernotes.core.atomic import decode_utf8, discard, write_temp
from papernotes.core.errors import PapernotesError
from papernotes.core.locks import FileLock, same_file
from papernotes.core.merge3 import merge3

LOCK_DIR = "papernotes-locks"
SETTLE_S = 0.02  # how long a replaced file is watched for an in-place write already under way
MAX_ROUNDS = 100


def lock_path(path: Path) -> Path:
    """One lock file per note (its resolved path), shared by every process of this machine."""
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:32]
    return Path(tempfile.gettempdir()) / LOCK_DIR / f"{path.name[:40]}-{digest}.lock"


@contextmanager
def file_lock(path: str | Path) -> Iterator[None]:
    """Exclusive lock on `path` between processes (blocks until it is free). The lock file is
    kept: removing it would let two processes lock two different files."""
    lock = lock_path(Path(path))
    if not lock.parent.is_dir():
        lock.parent.mkdir(parents=True, exist_ok=True)
        try:  # shared by every user of the machine, like /tmp itself
            os.chmod(lock.parent, 0o1777)
        except OSError:
            pass
    with FileLock(lock, mode=0o666).acquire(timeout_s=None):
        yield


def _read(fd: int) -> bytes:
    chunks, offset = [], 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _stable_read(fd: int) -> bytes:
    """The file's bytes once two reads a moment apart agree (an in-place write has finished)."""
    data = _read(fd)
    while True:
        time.sleep(SETTLE_S / 4)
        again = _read(fd)
        if again == data:
            return data
        data = again


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise PapernotesError("no such file", path=path) from None


def update_text(path: str | Path, change: Callable[[str], str]) -> str:
    """Apply `change` to the text of `path` and write it back (atomically, under the note's lock,
    merging concurrent edits as the module docstring says); returns the text written. Nothing
    is written when `change` returns the text unchanged; an error from `change` writes nothing."""
    path = Path(path)
    with file_lock(path):
        note = _Open(path)
        try:
            return _update(path, note, change)
        finally:
            note.close()


class _Open:
    """The note's current descriptor (replaced when the note is read again)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = _open(path)

    def reopen(self) -> bytes:
        self.close()
        self.fd = _open(self.path)
        return _stable_read(self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _update(path: Path, note: _Open, change: Callable[[str], str]) -> str:
    on_disk = _read(note.fd)  # what the note holds now
    on_disk, result = _apply(path, note, change, on_disk)
    for _ in range(MAX_ROUNDS):
        if result == on_disk:
            return result.decode("utf-8")
        tmp = write_temp(path, result)
        if _read(note.fd) != on_disk or not same_file(path, note.fd):  # changed since read
            discard(tmp)
            time.sleep(random.uniform(0, SETTLE_S / 2))  # out of step with a periodic saver
            theirs = note.reopen()
            on_disk, result = theirs, _carry(path, note, change, on_disk, result, theirs)
            continue
        if os.name == "nt":  # pragma: no cover - Windows cannot replace an open file
            os.replace(tmp, path)
            return result.decode("utf-8")
        try:
            os.replace(tmp, path)
        except BaseException:
            discard(tmp)
            raise
        time.sleep(SETTLE_S)
        late = _stable_read(note.fd)  # the file just replaced
        if late == on_disk:
            return result.decode("utf-8")
        # an in-place write landed in the replaced file: carry our result over it; the note
        # holds our result now (the next round checks that)
        merged = _carry(path, note, change, on_disk, result, late)
        now = note.reopen()
        if now != result:  # and someone changed our result since: carry that over too
            merged = _carry(path, note, change, result, merged, now)
        on_disk, result = now, merged
    raise PapernotesError("the note kept changing while papernotes wrote it; nothing was lost",
                          path=path, hint="run the command again")


def _carry(path: Path, note: _Open, change, base: bytes, ours: bytes, theirs: bytes) -> bytes:
    """`theirs` with our change: the line edits base -> ours merged into it, or, where they
    clash with its own edits, `change` applied to it again."""
    merged = merge3(base.decode("utf-8", "replace"), ours.decode("utf-8"),
                    theirs.decode("utf-8", "replace"))
    if merged is not None and _decodes(base) and _decodes(theirs):
        return merged.encode("utf-8")
    return _apply(path, note, change, theirs)[1]


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _apply(path: Path, note: _Open, change, data: bytes) -> tuple[bytes, bytes]:
    """(the text `change` was applied to, the result). A text that does not parse is read again
    while the note is being rewritten in place (a torn read); otherwise its error stands."""
    while True:
        try:
            return data, change(decode_utf8(data, path)).encode("utf-8")
        except PapernotesError:
            now = _stable_read(note.fd)
            if now == data and same_file(path, note.fd):
                raise  # the note itself is at fault, not a half-written read
            data = now if same_file(path, note.fd) else note.reopen()
