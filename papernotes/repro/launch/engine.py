"""Launching the engine: in-process for one process, torchrun for several, SLURM by hand.

For several processes the parent runs `python -m torch.distributed.run ... -m
papernotes.ssl.pretrain --config C --events E` and tails E (written by rank 0 only), passing
each event to the same sink an in-process run would get.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError


@dataclass(frozen=True)
class LaunchPlan:
    nproc_per_node: int
    nnodes: int = 1
    node_rank: int = 0
    rdzv_endpoint: str | None = None  # HOST:PORT for several nodes
    master_port: int | None = None  # single node; None: --standalone picks a free port

    @property
    def world_size(self) -> int:
        return self.nproc_per_node * self.nnodes

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def torchrun_command(plan: LaunchPlan, config: Path, events: Path, resume: bool,
                     python: str = sys.executable) -> list[str]:
    cmd = [python, "-m", "torch.distributed.run", f"--nproc-per-node={plan.nproc_per_node}"]
    if plan.nnodes > 1:
        if not plan.rdzv_endpoint:
            raise PapernotesError("several nodes need a rendezvous endpoint",
                                  field="--rdzv-endpoint", hint="HOST:PORT of node 0")
        cmd += [f"--nnodes={plan.nnodes}", f"--node-rank={plan.node_rank}",
                "--rdzv-backend=c10d", f"--rdzv-endpoint={plan.rdzv_endpoint}",
                "--rdzv-id=papernotes"]
    elif plan.master_port is not None:
        cmd += ["--nnodes=1", "--master-addr=127.0.0.1", f"--master-port={plan.master_port}"]
    else:
        cmd += ["--standalone"]
    cmd += ["-m", "papernotes.ssl.pretrain", "--config", str(config), "--events", str(events),
            "--quiet"]  # the parent shows progress from the events
    if resume:
        cmd.append("--resume")
    return cmd


def srun_line(plan: LaunchPlan, config: Path, events: Path, resume: bool, gpus: int) -> str:
    """The same launch for SLURM users: one torchrun per node, rendezvous on the first node."""
    inner = plan if plan.nnodes > 1 else LaunchPlan(plan.nproc_per_node, 1)
    cmd = torchrun_command(inner, config, events, resume, python="python")
    if plan.nnodes > 1:
        cmd = [c for c in cmd if not c.startswith(("--node-rank=", "--rdzv-endpoint="))]
        port = (plan.rdzv_endpoint or ":29500").rsplit(":", 1)[-1]
        cmd.insert(4, f"--rdzv-endpoint=$(scontrol show hostnames $SLURM_JOB_NODELIST | head -n1):{port}")
    gres = f" --gres=gpu:{gpus}" if gpus else ""
    return (f"srun --nodes={plan.nnodes} --ntasks-per-node=1{gres} "
            f"--cpus-per-task={max(1, plan.nproc_per_node) * 4} "
            + " ".join(c if c.startswith("--rdzv-endpoint=$(") else shlex.quote(c) for c in cmd))


class EventTail:
    """The new complete lines of a growing events file, each parsed and passed to `sink`."""

    def __init__(self, events: Path, sink: Callable[[dict], None]) -> None:
        self.events, self.sink = events, sink
        self.offset, self.buffer = 0, ""

    def drain(self) -> None:
        if not self.events.exists():
            return
        with self.events.open("r", encoding="utf-8") as fh:
            fh.seek(self.offset)
            chunk = fh.read()
            self.offset = fh.tell()
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            if line.strip():
                self.sink(json.loads(line))


def tail_events(proc: subprocess.Popen, events: Path, sink: Callable[[dict], None],
                poll_s: float = 0.2) -> int:
    """Feed each new line of `events` to `sink` until `proc` exits; returns its exit code.

    Ctrl-C (or SIGTERM turned into KeyboardInterrupt) is forwarded to torchrun as SIGINT so the
    ranks save a checkpoint; the remaining events are read and the interrupt re-raised.
    """
    tail = EventTail(events, sink)
    try:
        while proc.poll() is None:
            tail.drain()
            time.sleep(poll_s)
    except KeyboardInterrupt:
        interrupt(proc)
        tail.drain()
        raise
    tail.drain()
    return proc.returncode


def interrupt(proc: subprocess.Popen, grace_s: float = 60.0, *, signalled: bool = False) -> None:
    """SIGINT to `proc` (unless `signalled` already), then wait for it to save and exit; killed
    after `grace_s`."""
    quiet = getattr(proc, "quiet", None)
    if quiet is not None:  # torchrun's shutdown (warnings, its SignalException traceback) is ours
        quiet.set()
    if proc.poll() is None and not signalled:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _ignore_warnings() -> None:
    """In torchrun (and so its ranks, inheriting it across exec): SLURM's warning signals ignored.
    SLURM signals every process of a job step; the parent turns them into the SIGINT torchrun
    forwards (repro/run/requeue.py), where USR1/USR2 would otherwise kill torchrun and the ranks."""
    for name in ("SIGUSR1", "SIGUSR2"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)


def start_torchrun(cmd: list[str], cwd: Path) -> subprocess.Popen:
    """torchrun in its own session (the parent alone decides when the ranks are interrupted),
    its stderr relayed line by line until the parent stops it (`interrupt`): what torchrun then
    says about being signalled (its SignalException traceback) is not the user's to read; the
    ranks' own lines before that (a user error) are."""
    import threading

    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True, stderr=subprocess.PIPE,
                            preexec_fn=_ignore_warnings if os.name == "posix" else None)
    proc.quiet = threading.Event()  # type: ignore[attr-defined]

    def relay() -> None:
        for line in iter(proc.stderr.readline, b""):
            if not proc.quiet.is_set():  # type: ignore[attr-defined]
                try:
                    sys.stderr.write(line.decode(errors="replace"))
                    sys.stderr.flush()
                except (OSError, ValueError):  # its reader gone: nothing to tell
                    pass

    threading.Thread(target=relay, daemon=True).start()
    return proc


def run_engine(plan: LaunchPlan, cfg, config_file: Path, events_file: Path, resume: bool,
               sink: Callable[[dict], None], cwd: Path) -> None:
    """Train: in this process for one process, else torchrun, tailing rank 0's events into
    `sink`. A torchrun stopped by Ctrl-C raises KeyboardInterrupt; one that failed, one line."""
    from papernotes.ssl import user_code

    if not plan.distributed:
        from papernotes.ssl.pretrain import run

        try:
            run(cfg, sink=sink, resume=resume)  # its user errors are PapernotesErrors
        except Exception as exc:
            err = user_code.blame(exc)  # raised in the user's code: theirs, one line
            if err is None or err is exc:
                raise  # anything else is a bug and keeps its traceback
            raise err from None
        return
    user_code.clear_error(config_file.parent)
    cmd = torchrun_command(plan, config_file, events_file, resume)
    proc = start_torchrun(cmd, cwd)
    code = tail_events(proc, events_file, sink)
    if code == 130:
        raise KeyboardInterrupt
    err = user_code.read_error(config_file.parent) if code != 0 else None
    if err is not None:  # a rank failed in the user's code (or found it missing): that line
        raise err
    if code != 0:
        raise PapernotesError(f"torchrun exited with status {code}", field="engine",
                              hint="see the ranks' output above")
