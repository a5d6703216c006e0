"""Which run folder `--resume [RUN_ID]` continues, and the lock on a folder in use.

Each launch trains in its own folder (launch/layout.py): `<out_dir>/<MLflow run id>/`, or a
fresh id when the run opens after training started (a new store). `--resume` continues the
latest KILLED run of the profile; `--resume RUN_ID` (or a unique prefix of the run id or of the
folder's name) names one. A folder whose process died (SIGKILL, a crash) before its new store
was ready has no run and no run file, only its launch config and maybe a checkpoint: `--resume`
takes it as it takes a KILLED run, and a new run continues its checkpoint in it (`NO_RUN`,
`fresh_run_line`). A FINISHED run, a run in use by another process (the folder's lock), or a
run of another tracking store is refused in one line. A folder from before this layout
(`out_dir` itself holding the run file) is still found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from papernotes.core import locks
from papernotes.core.errors import PapernotesError
from papernotes.repro.launch.layout import (
    LOCK_FILE,
    RUN_FILE,
    checkpoint_file,
    checkpoint_step,
    launch_config,
    new_folder_id,
    read_run_file,
    run_folder,
)

LATEST = "latest"  # `--resume` without a run id
RESUMABLE = ("KILLED", "FAILED", "RUNNING", "SCHEDULED")  # RUNNING + unlocked: a crashed process
NO_RUN = "no MLflow run"  # the status of a folder whose process died before its run opened


@dataclass(frozen=True)
class Candidate:
    """A run folder under out_dir, with what MLflow says about its run."""

    run_id: str  # "" for a folder without a run (NO_RUN)
    path: Path
    tracking_uri: str | None  # from the run file
    status: str | None = None  # None: not in the MLflow store
    end_time: int = 0  # ms since the epoch (start time while still running)
    locked: bool = False

    @property
    def name(self) -> str:
        """The run id, or the folder's name for a folder without a run (NO_RUN)."""
        return self.run_id or self.path.name

    @property
    def label(self) -> str:
        return f"{self.name[:8]} ({self.status or 'not in the store'})"


def wanted_run(resume: bool | str | None) -> str | None:
    """What `ReproOptions.resume` asks for: None (a fresh run), LATEST, or a run id (prefix)."""
    if resume is True:
        return LATEST
    return str(resume) if resume else None


def run_folders(base: Path) -> list[tuple[dict, Path]]:
    """(run file, folder) for every run folder under `base` (and `base` itself, old layout)."""
    out = []
    folders = [base] + (sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else [])
    for folder in folders:
        data = read_run_file(folder)
        if data is not None:
            out.append((data, folder))
    return out


def lock_folder(folder: Path, run_id: str) -> locks.FileLock:
    """Hold `folder`'s lock for this process; one line naming the holder if another has it."""
    try:
        return locks.FileLock(folder / LOCK_FILE).acquire()
    except locks.Busy as busy:
        who = f" (pid {busy.pid})" if busy.pid else ""
        raise PapernotesError(f"run {run_id[:8]} is in use by another papernotes repro{who}",
                              path=folder, field="--resume",
                              hint="wait for it to end, or stop it first") from None


class RunFolder:
    """The folder a launch trains in, `<base>/<name>/`, made and locked for this process once:
    a resumed run's (locked at once), or a new run's, named by its run id when the run opens,
    or by a fresh id (`fresh`) when training starts before its run (a new store)."""

    def __init__(self, base: Path, target: Candidate | None = None) -> None:
        self.base = base
        self.path: Path | None = target.path if target else None
        self._lock = lock_folder(target.path, target.name) if target else None

    def fresh(self) -> None:
        """Name a new run's folder before its run exists."""
        if self.path is None:
            self.path = run_folder(self.base, new_folder_id())

    def made(self, run_id: str | None = None) -> Path:
        """The folder (named by `run_id` if it has no name yet), made and locked."""
        if self.path is None:
            self.path = run_folder(self.base, run_id)
        if self._lock is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock = lock_folder(self.path, self.path.name)
        return self.path

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def choose(candidates: list[Candidate], wanted: str, uri: str, what: str, base: Path) -> Candidate:
    """The run `--resume` continues: `wanted` is LATEST or a run id (prefix). `what` names the
    spec/profile in messages. Pure: the statuses come from the caller."""
    resumable = [c for c in candidates if c.status in (*RESUMABLE, NO_RUN) and not c.locked
                 and c.tracking_uri in (None, uri)]
    resumable.sort(key=lambda c: c.end_time, reverse=True)
    if wanted == LATEST:
        killed = [c for c in resumable if c.status in ("KILLED", NO_RUN)]
        if killed:
            return killed[0]
        if not candidates:
            raise PapernotesError(f"no run of {what} to resume in {base}", field="--resume",
                                  hint="start one without --resume")
        others = ", ".join(c.label for c in resumable[:3])
        raise PapernotesError(f"no KILLED run of {what} to resume", field="--resume",
                              hint=f"name one: --resume RUN_ID; resumable: {others}" if others
                              else "start a new run without --resume")
    matches = [c for c in candidates if (c.run_id and c.run_id.startswith(wanted))
               or c.path.name.startswith(wanted)]
    if not matches:
        known = ", ".join(c.label for c in resumable[:3])
        raise PapernotesError(f"no run {wanted!r} of {what} in {base}", field="--resume",
                              hint=f"resumable: {known}" if known else "`papernotes runs` lists the runs")
    if len(matches) > 1:
        raise PapernotesError(f"run id prefix {wanted!r} matches {len(matches)} runs",
                              field="--resume", hint=", ".join(c.name for c in matches[:4]))
    found = matches[0]
    if found.tracking_uri not in (None, uri):
        raise PapernotesError(f"run {found.run_id[:8]} was tracked in {found.tracking_uri}",
                              field="--resume", hint=f"pass --tracking-uri {found.tracking_uri}")
    if found.status is None:
        raise PapernotesError(f"run {found.run_id[:8]} is not in the MLflow store {uri}",
                              field="--resume", hint="start a new run without --resume")
    if found.status == "FINISHED":
        raise PapernotesError(f"run {found.run_id[:8]} already FINISHED: nothing to continue",
                              field="--resume", hint="start a new run without --resume")
    if found.locked:
        pid = locks.holder_pid(found.path / LOCK_FILE)
        raise PapernotesError(f"run {found.name[:8]} is in use by another papernotes repro"
                              + (f" (pid {pid})" if pid else ""), path=found.path, field="--resume",
                              hint="wait for it to end, or stop it first")
    return found


def find_resume(base: Path, uri: str, wanted: str, what: str, echo=None) -> Candidate:
    """The run folder `--resume [RUN_ID]` continues, checked against the MLflow store (waiting,
    with a line through `echo`, while another process makes that store)."""
    from papernotes.repro.tracking.runs import run_states

    found = run_folders(base)
    states = run_states(uri, [data["run_id"] for data, _ in found], echo)
    candidates = []
    for data, folder in found:
        status, end = states.get(data["run_id"], (None, 0))
        candidates.append(Candidate(data["run_id"], folder, data.get("tracking_uri"), status, end,
                                    locks.is_locked(folder / LOCK_FILE)))
    for folder in runless_folders(base):
        candidates.append(Candidate("", folder, None, NO_RUN, _mtime_ms(folder),
                                    locks.is_locked(folder / LOCK_FILE)))
    return choose(candidates, wanted, uri, what, base)


def runless_folders(base: Path) -> list[Path]:
    """Run folders under `base` that a launch made (its launch config) but that never got their
    run (no run file): the process died before its new store was ready."""
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and launch_config(p).is_file()
                  and not (p / RUN_FILE).exists())


def _mtime_ms(folder: Path) -> int:
    """When the folder last saw work: its checkpoint's time, else its launch config's."""
    ckpt = checkpoint_file(folder)
    return int((ckpt if ckpt.is_file() else launch_config(folder)).stat().st_mtime * 1000)


def fresh_run_line(found: Candidate) -> str:
    """What `--resume` says when it takes a folder without a run (NO_RUN)."""
    ckpt = checkpoint_file(found.path)
    what = "continues its checkpoint" if ckpt.is_file() else "starts in it (no checkpoint yet)"
    return (f"resuming folder {found.path}: its process ended before its MLflow run was opened, "
            f"so a new run {what}")


def other_node_folder(base: Path, wanted: str | None, node_rank: int, stamp: str) -> Path:
    """The folder of a node > 0, which neither tracks nor writes results: its own for a fresh
    run; for a resume, the named run's (node 0 prints the id), on a file system the nodes share."""
    if wanted is None:
        return base / f"node{node_rank}-{stamp}"
    if wanted == LATEST:
        raise PapernotesError(f"node {node_rank} cannot pick the run to resume",
                              field="--resume", hint="name it on every node: --resume RUN_ID")
    folder = run_folder(base, wanted)
    if not folder.is_dir():  # a folder made before its run (a new store): its run file names it
        named = [f for data, f in run_folders(base) if data["run_id"].startswith(wanted)]
        folder = named[0] if len(named) == 1 else folder
    if not folder.is_dir():
        raise PapernotesError(f"no folder for run {wanted!r} on this node", path=folder,
                              field="--resume", hint="several nodes resume from a shared out_dir")
    return folder


def from_step_line(found: Candidate) -> str:
    """Where a resume continues: its checkpoint's step, or from step 0, said plainly."""
    step = checkpoint_step(found.path)
    if step == 0:
        return (f"resuming run {found.name[:8]} from step 0: it stopped before writing a "
                f"checkpoint, so it trains again from the start")
    return f"resuming run {found.name[:8]} from its checkpoint" + (f" at step {step}" if step else "")
