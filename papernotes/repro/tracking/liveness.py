"""Runs whose process is gone: MLflow says RUNNING, but nobody holds their folder's lock.

A run killed with SIGKILL (the OOM killer, a closed laptop, `kill -9`) never closes its MLflow
run; left alone it stays RUNNING in `runs`, in the UI and for `--resume` forever. Its folder
says otherwise: `repro` holds `<folder>/.lock` while it trains there, `idea run` an arm's
`.arm.lock` (core/locks.py; a lock dies with its process). So every reader of runs calls
`reap`: a RUNNING run with a folder on this machine (tags `papernotes.run_dir`,
`papernotes.host`: tags.folder_tags) whose lock nobody holds is marked KILLED in MLflow, with
why (tag `papernotes.ended`). An `idea run` parent has no folder: its process's pid (tag
`papernotes.pid`) is checked instead. A run tracked from another machine is left as it is: its
lock is not this machine's to judge.
"""

from __future__ import annotations

import socket
from pathlib import Path

from papernotes.core import locks
from papernotes.repro.launch.layout import ARM_LOCK, LOCK_FILE
from papernotes.repro.tracking import tags


def owner_gone(run) -> str | None:
    """Why `run` (an MLflow Run) is dead although RUNNING, or None (alive, or not ours to tell)."""
    run_tags = run.data.tags
    folder = run_tags.get(tags.RUN_DIR)
    if run.info.status != "RUNNING" or run_tags.get(tags.HOST) != socket.gethostname():
        return None
    pid = run_tags.get(tags.PID, "")
    if not folder:  # an idea run's parent: its process, by pid
        if pid.isdigit() and not _alive(int(pid)):
            return f"its idea run process (pid {pid}) ended without closing the run (killed, or crashed)"
        return None
    lock = Path(folder) / (ARM_LOCK if tags.ARM in run_tags else LOCK_FILE)
    if not Path(folder).is_dir() or locks.is_locked(lock):
        return None
    pid = locks.holder_pid(lock)
    return (f"its process{f' (pid {pid})' if pid else ''} ended without closing the run "
            f"(killed, or crashed)")


def reap(client, runs) -> dict[str, str]:
    """Mark each dead run among `runs` KILLED, with why; {run id: why} for those marked."""
    out = {}
    writer = client if hasattr(client, "set_terminated") else None  # a SqliteReader only reads
    for run in runs:
        why = owner_gone(run)
        if why is None:
            continue
        writer = writer or client.writer()
        writer.set_tag(run.info.run_id, tags.ENDED, why)
        writer.set_terminated(run.info.run_id, status="KILLED")
        out[run.info.run_id] = why
    return out


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True

