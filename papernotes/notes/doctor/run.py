"""Running `doctor` over paths, and `--fix`: repaired text written atomically after the
original is copied to a backup outside `notes/` (so Obsidian does not index it):

    in a workspace:   <workspace>/.papernotes/backup/<timestamp>/<path relative to workspace>
    elsewhere:        <folder>/.papernotes-backup/<name>.<timestamp>.bak
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from papernotes.core.atomic import atomic_write_bytes, atomic_write_text, check_writable
from papernotes.core.errors import PapernotesError
from papernotes.notes.doctor.checks import FileReport, examine
from papernotes.notes.doctor.links import VaultIndex, build_index
from papernotes.notes.importer.layout import vault_root
from papernotes.notes.markdown_files import expand_markdown


@dataclass
class DoctorRun:
    reports: list[FileReport] = field(default_factory=list)
    fixed: dict[str, str] = field(default_factory=dict)  # path -> backup path

    @property
    def findings(self):
        return [f for r in self.reports for f in r.findings]


def _workspace_of(path: Path):
    from papernotes.core.workspace import find_workspace

    try:
        return find_workspace(path.parent)
    except PapernotesError:
        return None


def backup_path(path: Path, stamp: str) -> Path:
    ws = _workspace_of(path)
    if ws is not None:
        try:
            rel = path.resolve().relative_to(ws.root)
            return ws.root / ".papernotes" / "backup" / stamp / rel
        except ValueError:
            pass
    return path.parent / ".papernotes-backup" / f"{path.name}.{stamp}.bak"


def run_doctor(paths: Sequence[str | Path], *, fix: bool = False,
               progress: Callable[[int, int], None] | None = None) -> DoctorRun:
    """Examine every Markdown file under `paths` (with --fix: write each repair, after a
    backup); `progress(done, total)` is called after each file."""
    files = expand_markdown(paths)
    run = DoctorRun()
    indexes: dict[Path, VaultIndex] = {}
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    for path in files:
        ws = _workspace_of(path)
        # outside a workspace: the Obsidian vault holding the file (its .obsidian/), else its folder
        root = ws.root if ws is not None else vault_root(path.parent) or path.parent.resolve()
        if root not in indexes:
            indexes[root] = build_index(root)
        report = examine(path, index=indexes[root], ws=ws)
        run.reports.append(report)
        if fix and report.repaired_text is not None:
            check_writable(path.parent)  # before its backup is made
            original = path.read_bytes()
            backup = backup_path(path, stamp)
            atomic_write_bytes(backup, original)
            atomic_write_text(path, report.repaired_text, overwrite=True)
            run.fixed[str(path)] = str(backup)
        if progress is not None:
            progress(len(run.reports), len(files))
    return run
