"""What a `repro --slurm` job runs on its nodes, and how it outlives a preemption: submitit's
checkpointing protocol (submitit's `helpers.Checkpointable`, DINO's and MAE's
`run_with_submitit.py` Trainer) around `run_repro`.

Every start of the job (the first, and each after a requeue) is `papernotes repro --resume
RUN_ID` of the run the submission opened: the same folder, the same MLflow run, the engine
continuing its checkpoint (none the first time). On the preemption signal (submitit's USR2,
sent `--signal=USR2@90` before the time limit; USR1 as well) each task turns it into the
Ctrl-C the runner already handles: the engine stops at its next step boundary on every rank
(the stop flag is MAX-reduced), rank 0 writes its checkpoint, the run is set back to
SCHEDULED, and node 0's task hands over to submitit's own handler, which pickles `checkpoint()`'s
resubmission and requeues the job (`scontrol requeue`; the local executor restarts it). SIGTERM
(a preemption without warning, or `scancel`) stops and checkpoints the same way but requeues
nothing itself: SLURM requeues a preempted `--requeue` job, and a cancelled one stays KILLED.

A node failure (no signal) loses the steps since the last periodic checkpoint
(`train.checkpoint_every`, by default about ten a run: launch/checkpoints.py); the requeued
job continues from it, and the tracker logs no step twice (tracking/sink.py seeds its points
from the run's own history).
"""

from __future__ import annotations

import signal
import sys
from dataclasses import replace

from papernotes.repro.run.options import Interrupted, ReproOptions

PREEMPTION = tuple(getattr(signal, name) for name in ("SIGUSR1", "SIGUSR2") if hasattr(signal, name))


def _say(line: str) -> None:
    print(line, flush=True)  # the task's log file (submitit's <job id>_<task>_log.out)


class Preemption:
    """The signals a job stops for, while it runs: each is remembered and raised as SIGINT, so
    the engine (or the runner tailing torchrun) stops and checkpoints as on Ctrl-C."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.submitit_handler = None  # submitit's checkpoint-and-requeue, bound to its signal

    def install(self, usr_sig: int) -> "Preemption":
        self.submitit_handler = signal.getsignal(usr_sig)
        for sig in (*PREEMPTION, signal.SIGTERM):
            signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        first = not self.received
        self.received.append(signum)
        if first:
            signal.raise_signal(signal.SIGINT)

    @property
    def requeues(self) -> bool:
        """A warning signal (not SIGTERM) came first: the job requeues itself."""
        return bool(self.received) and self.received[0] != signal.SIGTERM


class ReproJob:
    """submitit's callable for one `repro --slurm` run: the options it was submitted with and
    the MLflow run the submission opened."""

    def __init__(self, opts: ReproOptions, run_id: str) -> None:
        self.opts = opts
        self.run_id = run_id

    def __call__(self) -> dict:
        import submitit

        from papernotes.repro.launch.slurm import rendezvous_endpoint
        from papernotes.repro.run.runner import run_repro

        env = submitit.JobEnvironment()
        nodes = env.num_nodes
        opts = replace(self.opts, nnodes=nodes, node_rank=env.node, terminal=False, resume=self.run_id,
                       rdzv_endpoint=rendezvous_endpoint() if nodes > 1 else None)
        stop = Preemption().install(env._usr_sig())
        _say(f"papernotes: job {env.job_id} node {env.node}/{nodes} continues MLflow run {self.run_id}")
        try:
            result = run_repro(opts, echo=_say)
        except (Interrupted, KeyboardInterrupt):
            if not stop.received:
                raise
            what = signal.Signals(stop.received[0]).name
            if env.global_rank == 0:
                status = "SCHEDULED" if stop.requeues else "KILLED"
                _say(f"papernotes: {what}: the ranks stopped at a step boundary and rank 0 saved its "
                     f"checkpoint; MLflow run {self.run_id} set {status}")
                self._mark(opts, status)
            if stop.requeues and callable(stop.submitit_handler):
                _say("papernotes: requeueing the job (it continues the same run)")
                stop.submitit_handler(env._usr_sig(), None)  # requeues and exits (rank 0)
            sys.exit(130)
        return {"status": result.status, "run_id": result.run_id, "metrics": dict(result.metrics)}

    def checkpoint(self, *args, **kwargs):
        """submitit's protocol: what the requeued job runs (this job again; its state is the
        run's folder and MLflow run, which `--resume RUN_ID` picks up)."""
        import submitit

        return submitit.helpers.DelayedSubmission(ReproJob(self.opts, self.run_id))

    def _mark(self, opts: ReproOptions, status: str) -> None:
        """The run's status while the job waits to start again (SCHEDULED) or after a cancel."""
        from papernotes.repro.tracking.client import new_client

        try:
            new_client(opts.tracking_uri).update_run(self.run_id, status=status)
        except Exception as exc:  # noqa: BLE001  (the store may be gone; the job still requeues)
            _say(f"papernotes: warning: could not mark run {self.run_id} {status}: {exc}")
