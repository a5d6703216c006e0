"""Other runs training in this workspace now, and what sharing the cores with them costs.

Separate `papernotes repro` commands share nothing: two started at once on a 2-core machine
each took the spec's 2 threads, and together needed 85 s against 46 s one after the other
(issue 23). `idea run` divides the cores between its own arms (cores.py); across commands,
a launch at least says so: it finds the run folders under the workspace whose lock another
process holds (`repro`'s `.lock`, an arm's `.arm.lock`: core/locks.py), reads their threads
from their launch config, and when the threads together exceed the cores, warns once, naming
the other run and the cost, before it starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from papernotes.core import locks
from papernotes.repro.launch.layout import ARM_LOCK, LOCK_FILE, launch_config


@dataclass(frozen=True)
class Neighbour:
    folder: Path
    pid: int | None
    threads: int  # CPU threads it trains with (its processes x threads), 0 on GPUs


def busy_runs(root: Path, own: Path | None = None, depth: int = 4) -> list[Neighbour]:
    """Run folders under `root` (the workspace) whose lock another process holds."""
    out = []
    for pattern in (LOCK_FILE, ARM_LOCK):
        for lock in _find(root, pattern, depth):
            folder = lock.parent
            if own is not None and folder.resolve() == Path(own).resolve():
                continue
            if not locks.is_locked(lock):
                continue
            out.append(Neighbour(folder, locks.holder_pid(lock), _threads(folder)))
    return out


def cores_warning(neighbours: list[Neighbour], threads: int, cores: int) -> str | None:
    """One line when this launch's `threads` and the others' exceed the `cores`, else None."""
    cpu = [n for n in neighbours if n.threads]
    if not cpu or threads <= 0:
        return None
    total = threads + sum(n.threads for n in cpu)
    if total <= cores:
        return None
    who = ", ".join(f"{n.folder.name[:8]} (pid {n.pid}, {n.threads} thread{'s' * (n.threads != 1)})"
                    if n.pid else f"{n.folder.name[:8]} ({n.threads} thread{'s' * (n.threads != 1)})"
                    for n in cpu[:3])
    return (f"another run is training here: {who}; with this one's {threads}, {total} threads on "
            f"{cores} cores, so each runs about {total / cores:.1f}x slower than alone "
            f"(wait for it, or train both as arms of one `idea run --parallel`)")


def _threads(folder: Path) -> int:
    try:
        cfg = json.loads(launch_config(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    train = cfg.get("train") or {}
    if train.get("device") != "cpu":
        return 0
    return int(train.get("threads") or 1)


def _find(root: Path, name: str, depth: int) -> list[Path]:
    """`name` files at most `depth` folders below `root` (run folders sit 2-3 deep)."""
    found: list[Path] = []
    for level in range(1, depth + 1):
        found += [p for p in root.glob("/".join(["*"] * level) + "/" + name) if p.is_file()]
    return found
