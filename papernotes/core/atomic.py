"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

A crash or Ctrl-C mid-write leaves either the old file or the new one, never half of each.
Nothing is overwritten unless the caller says so (the CLI's `--force`).
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from papernotes.core.binary import binary_kind, not_text_message
from papernotes.core.errors import PapernotesError


def atomic_write_bytes(path: str | Path, data: bytes, *, overwrite: bool = False) -> Path:
    path = Path(path)
    if path.exists() and not overwrite:
        raise PapernotesError("already exists; pass --force to overwrite", path=path)
    tmp = write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        discard(tmp)
        raise
    return path


_CANNOT_WRITE = (errno.EACCES, errno.EPERM, errno.EROFS)


def folder_error(folder: Path, exc: OSError | None = None) -> PapernotesError:
    """The one line for a folder nothing can be written in (read-only, or not ours)."""
    why = "read-only file system" if exc is None or exc.errno == errno.EROFS \
        else (exc.strerror or "permission denied").lower()
    return PapernotesError(f"cannot write in this folder ({why})", path=folder,
                           hint="make it writable, or work in a copy of the vault")


def _existing(folder: Path) -> Path:
    """`folder`, or its nearest parent that exists (where a missing folder would be made)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def check_writable(folder: str | Path) -> None:
    """A one-line error unless files can be made in `folder` (checked before a command prints
    a plan or starts work it could not save). A missing folder is checked at its nearest
    existing parent, where it would be made."""
    folder = Path(folder)
    probe = _existing(folder)
    if not os.access(probe, os.W_OK | os.X_OK):
        try:  # access() says why: read-only file system or permissions
            fd, tmp = tempfile.mkstemp(prefix=".papernotes-probe.", dir=probe)
        except OSError as exc:
            raise folder_error(probe, exc) from None
        os.close(fd)
        os.unlink(tmp)


def write_temp(path: Path, data: bytes) -> Path:
    """`data` in a fsync'ed temporary file beside `path` (with `path`'s permissions), ready for
    `os.replace(tmp, path)`. A folder that cannot be written in is a one-line error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        if exc.errno in _CANNOT_WRITE:
            raise folder_error(_existing(path.parent), exc) from None
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
    except BaseException:
        discard(Path(tmp))
        raise
    return Path(tmp)


def discard(tmp: Path) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def atomic_write_text(path: str | Path, text: str, *, overwrite: bool = False) -> Path:
    """Write `text` as UTF-8 exactly as given (no newline translation)."""
    return atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def read_text_utf8(path: str | Path) -> str:
    """Read a file as UTF-8, exactly (no newline translation); a one-line error if it is not UTF-8."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PapernotesError("no such file", path=path) from None
    return decode_utf8(data, path)


def decode_utf8(data: bytes, path: str | Path) -> str:
    """`data` as UTF-8; a one-line error naming `path` and the line of the first bad byte, or
    saying that it is not text at all (an image, a PDF: nothing `doctor --fix` can repair)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        kind = binary_kind(data)
        if kind is not None:
            raise PapernotesError(not_text_message(kind), path=path) from None
        line = data[: exc.start].count(b"\n") + 1
        raise PapernotesError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            path=path,
            line=line,
            hint="`papernotes doctor --fix` repairs damaged text",
        ) from None
