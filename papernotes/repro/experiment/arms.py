"""Running experiment arms as processes, up to K at once, each on its own cores or GPUs.

Each arm is the engine in a child process (`python -m papernotes.ssl.pretrain`, or torchrun for
several ranks) in its own session, its output in its folder's log, its events tailed from the
folder's events file (launch/layout.py) and passed to the arm's sink. A slot is a share of the machine: on
CPU a disjoint set of cores (the child is pinned to them, its threads fit them), on GPU its own
devices (CUDA_VISIBLE_DEVICES). Ctrl-C reaches the children as SIGINT from here: each saves a
checkpoint and exits 130; a failed arm stops the others the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from papernotes.core import locks
from papernotes.core.atomic import atomic_write_text
from papernotes.core.errors import PapernotesError
from papernotes.repro.experiment.plan import Arm
from papernotes.repro.launch import engine as launch
from papernotes.repro.launch import layout
from papernotes.ssl.config import config_to_dict
from papernotes.ssl.user_code import clear_error, read_error


@dataclass(frozen=True)
class Slot:
    cpus: list[int] | None = None  # pin the arm to these cores
    gpus: list[str] | None = None  # CUDA_VISIBLE_DEVICES
    threads: int | None = None  # OMP threads per process


@dataclass
class Job:
    arm: Arm
    sink: Callable[[dict], None]
    resume: bool = False
    code: int | None = None  # exit status once done
    lock: locks.FileLock | None = None  # the arm folder's lock, held while it trains


def try_lock(job: Job) -> bool:
    """Take the arm folder's lock without waiting: another `idea run` (of another patch with the
    same baseline, say) may be training this very arm; its folder must not be shared."""
    job.lock = locks.try_lock(job.arm.out_dir / layout.ARM_LOCK)
    return job.lock is not None


def unlock(job: Job) -> None:
    if job.lock is not None:
        job.lock.release()
        job.lock = None


def arm_command(arm: Arm, config: Path, events: Path, resume: bool) -> list[str]:
    if arm.plan.distributed:
        return launch.torchrun_command(arm.plan, config, events, resume)
    cmd = [sys.executable, "-m", "papernotes.ssl.pretrain", "--config", str(config),
           "--events", str(events), "--quiet"]
    return cmd + ["--resume"] if resume else cmd


class ArmProcess:
    def __init__(self, job: Job, slot: Slot, cwd: Path) -> None:
        out = job.arm.out_dir
        out.mkdir(parents=True, exist_ok=True)
        config = layout.launch_config(out)
        clear_error(out)
        atomic_write_text(config, json.dumps(config_to_dict(job.arm.config), indent=2) + "\n",
                          overwrite=True)
        events = layout.events_file(out, f"{dt.datetime.now():%Y%m%d-%H%M%S-%f}")
        env = dict(os.environ)
        if slot.threads:
            env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(slot.threads)
        if slot.gpus is not None:
            env["CUDA_VISIBLE_DEVICES"] = ",".join(slot.gpus)
        self.job, self.log = job, out / layout.ARM_LOG
        with self.log.open("ab") as log:
            log.write(f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S} {job.arm.label}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(arm_command(job.arm, config, events, job.resume), cwd=cwd,
                                         env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        if slot.cpus and hasattr(os, "sched_setaffinity"):
            try:  # before the child has started any thread: they all inherit it
                os.sched_setaffinity(self.proc.pid, slot.cpus)
            except OSError:
                pass
        self.tail = launch.EventTail(events, job.sink)
        self.signalled = False  # SIGINT sent: a second one could cut a torchrun's shutdown short

    def poll(self) -> int | None:
        self.tail.drain()
        code = self.proc.poll()
        if code is not None:
            self.tail.drain()
        return code

    def signal_stop(self) -> None:
        """Ask the arm to stop (SIGINT: it saves a checkpoint), without waiting."""
        if self.proc.poll() is None and not self.signalled:
            self.proc.send_signal(signal.SIGINT)
            self.signalled = True

    def stop(self) -> int:
        """SIGINT (once), wait for the checkpoint and the exit (killed after a grace period)."""
        try:
            launch.interrupt(self.proc, signalled=self.signalled)
        except KeyboardInterrupt:  # a second Ctrl-C: no more waiting
            self.proc.kill()
            self.proc.wait()
        self.tail.drain()
        return self.proc.returncode

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(line.strip() for line in text[-lines:])


class ArmFailed(PapernotesError):
    pass


def run_jobs(jobs: list[Job], slots: list[Slot], cwd: Path, *, poll_s: float = 0.2,
             on_tick: Callable[[], None] = lambda: None,
             still_needed: Callable[[Job], bool] = lambda job: True,
             on_start: Callable[[Job], None] = lambda job: None,
             on_done: Callable[[Job], None] = lambda job: None) -> None:
    """Run every job, at most one per slot at a time. A job whose arm another process is training
    waits for it, then `still_needed(job)` decides (False: its run is there to reuse). On Ctrl-C
    every running arm is stopped (checkpoint saved) and KeyboardInterrupt re-raised; on a failed
    arm the others are stopped and ArmFailed raised. `on_done` sees each job that ended (code 0
    finished, 130 stopped)."""
    pending = list(jobs)
    running: dict[int, ArmProcess] = {}

    def next_job() -> Job | None:
        for job in list(pending):
            if not try_lock(job):
                continue  # trained elsewhere right now: look again later
            pending.remove(job)
            if still_needed(job):
                return job
            unlock(job)
        return None

    def stop_all() -> None:
        """Every running arm asked to stop at once, then waited for; each reported to
        `on_done` (its run marked) before its folder is unlocked, and all of them even if
        reporting one fails (its output's reader gone, say)."""
        stopping = list(running.values())
        running.clear()
        for proc in stopping:
            proc.signal_stop()
        for proc in stopping:
            proc.job.code = proc.stop()
        failure = None
        for proc in stopping:
            try:
                on_done(proc.job)
            except Exception as exc:  # noqa: BLE001 - the others are still reported
                failure = failure or exc
            finally:
                unlock(proc.job)
        if failure is not None:
            raise failure

    try:
        while pending or running:
            for i, slot in enumerate(slots):
                if i not in running and pending:
                    job = next_job()
                    if job is not None:
                        running[i] = ArmProcess(job, slot, cwd)
                        on_start(job)
            for i, proc in list(running.items()):
                code = proc.poll()
                if code is None:
                    continue
                del running[i]
                proc.job.code = code
                try:
                    on_done(proc.job)  # its run marked while its folder is still locked
                finally:
                    unlock(proc.job)
                if code != 0:
                    stop_all()
                    err = read_error(proc.job.arm.out_dir) if code != 130 else None
                    if err is not None:  # a bug in the user's code: their line, not the log's tail
                        raise err
                    what = "was interrupted" if code == 130 else f"failed (exit {code})"
                    raise ArmFailed(f"arm {proc.job.arm.label} {what}: {proc.log_tail()}",
                                    path=proc.log, field="arm",
                                    hint="the other arms were stopped; run again to continue")
            on_tick()
            if pending or running:
                time.sleep(poll_s)
    except KeyboardInterrupt:
        stop_all()
        raise
