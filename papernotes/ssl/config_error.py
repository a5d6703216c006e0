"""The engine's one error type for a config value that does not fit (re-exported by config.py)."""

from __future__ import annotations


class ConfigError(ValueError):
    """A config value that does not fit; `path` is the dotted field (`train.batch_size`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
