"""Atomic file writes: a temporary file in the same folder, fsync, then rename.

A crash or Ctrl-C mid-write leaves either the old file or the new one, never half of each.
Nothing is overwritten unless the caller says so (the CLI's `--force`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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


def write_temp(path: Path, data: bytes) -> Path:
    """`data` in a fsync'ed temporary file beside `path` (with `path`'s permissions), ready for
    `os.replace(tmp, path)`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    """`data` as UTF-8; a one-line error naming `path` and the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PapernotesError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            path=path,
            line=line,
            hint="`papernotes doctor --fix` repairs damaged text",
        ) from None
