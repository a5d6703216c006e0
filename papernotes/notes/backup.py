"""Backups of notes a tool is about to replace, outside `notes/` so Obsidian does not index them:

    <workspace>/.papernotes/backup/<UTC timestamp>/<path relative to the workspace>

(the layout `papernotes doctor --fix` uses too).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from papernotes.core.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace

BACKUP_DIR = Path(".papernotes") / "backup"


def stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def backup_file(ws: "Workspace", path: Path, when: str | None = None) -> Path:
    """Copy `path` (byte for byte) into the workspace's backup folder; returns the copy."""
    try:
        rel = path.resolve().relative_to(ws.root.resolve())
    except ValueError:
        rel = Path(path.name)
    target = ws.root / BACKUP_DIR / (when or stamp()) / rel
    atomic_write_bytes(target, path.read_bytes())
    return target
