"""Which files an import already brought in, so that running the same import again (after a
Ctrl-C, or on purpose) skips them instead of writing `笔记 1.md` beside `笔记.md`.

One JSON line per imported note in `<workspace>/.papernotes/imported.jsonl`: the source file
(resolved path), the SHA-256 of its bytes, the note written (relative to the workspace) and its
key. A file is skipped when the same source with the same bytes was imported and its note is
still there; a changed source is imported again (as a new note: the old one is the user's).
Appending a line is the last step of writing a note (`write.py`), so the log never names a
note that was not written. A torn last line (a kill mid-write) is ignored. Reference: the
idea of `rsync`'s skip of unchanged files, keyed by content rather than time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

LOG = Path(".papernotes") / "imported.jsonl"


@dataclass(frozen=True)
class Imported:
    source: str  # the source file, resolved
    digest: str  # sha256 of its bytes
    note: str  # the note written, relative to the workspace root
    key: str


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(ws_root: Path) -> dict[tuple[str, str], Imported]:
    """(source, digest) -> what was imported from it (the last record wins)."""
    out: dict[tuple[str, str], Imported] = {}
    try:
        lines = (ws_root / LOG).read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            rec = Imported(**json.loads(line))
        except (ValueError, TypeError):
            continue  # a torn line
        out[(rec.source, rec.digest)] = rec
    return out


def record(ws_root: Path, rec: Imported) -> None:
    """Append one record (flushed and fsync'ed: it is what a resumed import trusts)."""
    path = ws_root / LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec.__dict__, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def split_done(ws_root: Path, sources: Sequence) -> tuple[list, list[Imported]]:
    """The sources still to import, and the records of those already imported (same file,
    same bytes, note still there). `sources`: `layout.ImportSource`s."""
    done = load(ws_root)
    todo, skipped = [], []
    for src in sources:
        try:
            rec = done.get((str(src.path.resolve()), digest_of(src.path)))
        except OSError:
            rec = None
        if rec is not None and (ws_root / rec.note).is_file():
            skipped.append(rec)
        else:
            todo.append(src)
    return todo, skipped
