"""Notices for the user: something was done that they should know about, and nothing failed.

Library code calls `warn(...)` (something they may want to look at) or `inform(...)` (what was
done, e.g. where a backup went) with the same parts as a `PapernotesError` (path, line, field,
hint); the CLI installs a sink that prints `warning: path:line: field: message (hint)` on
stderr. Without a sink (the library used from Python) the line goes to `sys.stderr`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError

Sink = Callable[[str, str], None]  # (level: "warning" or "note", the line)
_sink: Sink | None = None


def set_sink(sink: Sink | None) -> Sink | None:
    """Route warnings to `sink` (None: back to stderr); returns the previous sink."""
    global _sink
    previous, _sink = _sink, sink
    return previous


def _emit(level: str, message: str, path, line, field, hint) -> str:
    text = str(PapernotesError(message, path=path, line=line, field=field, hint=hint))
    if _sink is not None:
        _sink(level, text)
    else:
        print(f"{level}: {text}", file=sys.stderr)
    return text


def warn(message: str, *, path: str | Path | None = None, line: int | None = None,
         field: str | None = None, hint: str | None = None) -> str:
    """Report one warning line; returns it (without the `warning: ` prefix)."""
    return _emit("warning", message, path, line, field, hint)


def inform(message: str, *, path: str | Path | None = None, line: int | None = None,
           field: str | None = None, hint: str | None = None) -> str:
    """Report one line about what was done; returns it (without the `note: ` prefix)."""
    return _emit("note", message, path, line, field, hint)
