"""The Markdown files named on a command line (`validate`, `doctor`, `import`): the one
expansion of file and folder arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from papernotes.core.errors import PapernotesError


def expand_markdown(paths: Sequence[str | Path]) -> list[Path]:
    """Each file as given, and each folder's `*.md` files at any depth (sorted, skipping
    anything under a hidden folder or hidden itself, such as `.obsidian/` or `.trash/`).
    A path that does not exist is a one-line PapernotesError naming it."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*.md") if f.is_file() and not any(
                part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.is_file():
            out.append(p)
        else:
            raise PapernotesError("no such file or folder", path=p)
    return out
