"""Warnings for the user: something was done that they should know about, and nothing failed.

Library code calls `warn(...)` with the same parts as a `PapernotesError` (path, line, field,
hint); the CLI installs a sink that prints `warning: path:line: field: message (hint)` on
stderr. Without a sink (the library used from Python) the line goes to `sys.stderr`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from papernotes.errors import PapernotesError

Sink = Callable[[str], None]
_sink: Sink | None = None


def set_sink(sink: Sink | None) -> Sink | None:
    """Route warnings to `sink` (None: back to stderr); returns the previous sink."""
    global _sink
    previous, _sink = _sink, sink
    return previous


def warn(message: str, *, path: str | Path | None = None, line: int | None = None,
         field: str | None = None, hint: str | None = None) -> str:
    """Report one warning line; returns it (without the `warning: ` prefix)."""
    text = str(PapernotesError(message, path=path, line=line, field=field, hint=hint))
    if _sink is not None:
        _sink(text)
    else:
        print(f"warning: {text}", file=sys.stderr)
    return text
