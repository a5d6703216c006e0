"""Where the example workspace (templates/, repro/, notes/) lives.

In a wheel it is packaged as `papernotes/_workspace/<name>`; in a source checkout it is the
top-level folder of the same name.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parents[1]  # papernotes/


def shipped_dir(name: str) -> Path:
    """The shipped copy of `templates`, `repro` or `notes`."""
    if name not in ("templates", "repro", "notes"):
        raise ValueError(f"unknown shipped folder {name!r}")
    packaged = _PKG / "_workspace" / name
    if packaged.is_dir():
        return packaged
    return _PKG.parent / name


def catalog_dir() -> Path:
    """The built-in catalog of paper cards (package data)."""
    return _PKG / "catalog"
