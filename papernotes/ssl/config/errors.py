"""The engine's one error type for a config value that does not fit (re-exported by config.py).

It is a `PapernotesError` (the one error users see: one line, exit 2), so the runner and the CLI
need no special case for the engine; and a ValueError, as it always was.
"""

from __future__ import annotations

from papernotes.core.errors import PapernotesError  # stdlib-only shared module


class ConfigError(PapernotesError, ValueError):
    """A config value that does not fit; `field` is the dotted field (`train.batch_size`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)
