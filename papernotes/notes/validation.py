"""`papernotes validate`: parse every note and collect one located problem per broken file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from papernotes.errors import PapernotesError
from papernotes.notes.vault import NOTE_SUFFIX, iter_note_paths, read_path

if TYPE_CHECKING:
    from papernotes.notes.workspace import Workspace


@dataclass(frozen=True)
class ValidationReport:
    checked: int
    problems: list[PapernotesError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def expand_targets(paths: Sequence[str | Path]) -> list[Path]:
    """Files to check: each file as given, each folder's `*.md` files (sorted)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.glob(f"*{NOTE_SUFFIX}") if not p.name.startswith(".")))
        else:
            out.append(path)
    return out


def validate_files(files: Sequence[Path]) -> ValidationReport:
    problems: list[PapernotesError] = []
    for path in files:
        try:
            read_path(path)
        except PapernotesError as exc:
            problems.append(exc if exc.path is not None else exc.at(path=path))
    return ValidationReport(len(files), problems)


def validate_vault(ws: "Workspace") -> ValidationReport:
    return validate_files(iter_note_paths(ws))
