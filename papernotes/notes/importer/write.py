"""Writing an import's notes: each note after its attachments (so a written note never links to
a file that is not there yet), never over an existing file, and recorded as imported right
after (`provenance.py`). Ctrl-C (SIGINT) or SIGTERM during the writes is held until the note
being written is written and recorded, then stops the import with one line saying how many
notes were written and that the same command continues it (exit 130). Reference: the
deferred-signal pattern of CPython's `signal` docs (handlers run between bytecodes; the work
unit is never torn).
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Callable, Sequence

from papernotes.core.atomic import atomic_write_bytes, atomic_write_text
from papernotes.core.errors import PapernotesError
from papernotes.notes.importer import provenance


class ImportInterrupted(PapernotesError):
    exit_code = 130


def _copy(source: Path, target: Path) -> bool:
    if target.exists():
        return False
    atomic_write_bytes(target, source.read_bytes(), overwrite=False)
    return True


def write_imports(plans: Sequence, *, ws_root: Path | None = None,
                  command: str | None = None,
                  on_written: Callable[[Path], None] | None = None) -> list[Path]:
    """Write every planned note (`plan.ImportPlan`), recording each in the workspace's import
    log when `ws_root` is given. `command`: the command line a stopped import tells the user
    to run again."""
    written: list[Path] = []
    stop: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    old = {}
    if main:
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.signal(sig, lambda signum, _frame: stop.append(signum))
    try:
        for p in plans:
            if stop:
                break
            for source, target in [*(p.assets.copies if p.assets else []),
                                   *(p.attachments.copies if p.attachments else [])]:
                _copy(source, target)
            written.append(atomic_write_text(p.target, p.text, overwrite=False))
            if ws_root is not None:
                provenance.record(ws_root, provenance.Imported(
                    str(p.source.resolve()), provenance.digest_of(p.source),
                    p.target.resolve().relative_to(ws_root.resolve()).as_posix(), p.key))
            if on_written is not None:
                on_written(written[-1])
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if stop and len(written) < len(plans):
        again = f"`{command}`" if command else "the same import"
        raise ImportInterrupted(
            f"interrupted: {len(written)} of {len(plans)} note(s) written, nothing half-written",
            hint=f"run {again} again to continue: notes already imported are skipped")
    return written
