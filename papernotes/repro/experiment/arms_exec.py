"""Training the decided arms of `idea run` and `repro --seeds`: the machine shares they take,
then the arms in processes K at once (arms.run_jobs), each logged under the parent run
(arm_runs.IdeaTracking or seed_runs.SeedTracking), with progress bars, then the conclusion.

Ctrl-C stops every arm (each saves a checkpoint; its run is marked KILLED), marks the parent
KILLED and raises `Interrupted`; any other failure marks the parent FAILED.

Reference: idea_run._execute and seed_runs.execute, which both call `train_arms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from papernotes.core.errors import PapernotesError
from papernotes.core.words import count
from papernotes.core.workspace import Workspace
from papernotes.repro.experiment.arms import Job, Slot, run_jobs
from papernotes.repro.experiment.decisions import Action, Decision
from papernotes.repro.experiment.progress import make_arms_progress
from papernotes.repro.launch import cores
from papernotes.repro.run.options import Interrupted

T = TypeVar("T")


@dataclass(frozen=True)
class ArmsLaunch:
    """One `idea run` or `repro --seeds`, planned and decided: the arms (`exp`: a plan.Experiment
    or a seeds.SeedPlan), its options (ExperimentOptions or ReproOptions), where it writes, what
    each arm does (`decisions`), the arms to train (`todo`, threads set) on their machine shares
    (`slots`), and where lines go."""

    exp: Any
    opts: Any
    ws: Workspace
    uri: str
    decisions: tuple[Decision, ...]
    todo: tuple[Decision, ...]
    slots: tuple[Slot, ...]
    echo: Callable[[str], None]


def machine_slots(exp, parallel: int | None, arms: int) -> tuple[list[Slot], str]:
    """Machine shares for the arms of `exp` (an Experiment or a SeedPlan: its `arms`, `device`
    and `gpus` per arm), and a line saying how the machine is split. `parallel` None: as many
    arms at once as the machine holds, each with at least a core (or its GPUs) per process:
    one-thread ranks side by side use a CPU better than threads of one process."""
    nproc = exp.arms[0].plan.nproc_per_node
    if exp.device == "cuda":
        visible = cores.visible_gpus()
        fit = len(visible) // exp.gpus
        if fit < 1:
            raise PapernotesError(f"an arm needs {exp.gpus} GPU(s); {len(visible)} visible",
                                  field="--gpus")
        k = max(1, min(parallel or fit, fit, arms))
        slots = [Slot(gpus=g) for g in cores.gpu_slots(k, exp.gpus, visible)]
        return slots, f"{k} at once, {count(exp.gpus, 'GPU')} each: " + " | ".join(",".join(s.gpus) for s in slots)
    avail = cores.available_cores()
    k = max(1, min(parallel or len(avail) // nproc, arms))
    threads = cores.cpu_threads(exp.arms[0].config.train.threads, k * nproc, len(avail))
    pins = cores.cpu_slots(k, avail)
    slots = [Slot(cpus=p, threads=threads) for p in pins]
    where = " | ".join(",".join(map(str, p)) for p in pins) if pins[0] else "shared"
    return slots, (f"{k} at once, {count(nproc, 'process', 'processes')} x {count(threads, 'thread')} each, "
                   f"cores {where}")


def train_arms(run: ArmsLaunch, tr, finished_meanwhile: Callable[[Job], object | None], what: str,
               conclude: Callable[[], T]) -> T:
    """Train the arms `run.todo` logged under `tr`'s parent run (arm_runs.IdeaTracking) as the
    store allows, then `conclude()`; the parent run is marked KILLED or FAILED if that does not
    happen. `finished_meanwhile(job)`: the run another process finished for this arm while it
    waited for it (then reused), or None. `what` names the arms in the Ctrl-C line ("arms",
    "seeds")."""
    progress = make_arms_progress(run.opts.terminal, run.echo)
    say = progress.print
    jobs = []
    for d in run.todo:
        resumed = d.action == Action.RESUME
        job = Job(d.arm, sink=lambda e: None, resume=resumed)
        log = tr.logger(job, d.run_id if resumed else None)
        bar = progress.sink(d.arm.label)
        job.sink = lambda event, log=log, bar=bar: (log(event), bar(event))
        jobs.append(job)

    def on_done(job: Job) -> None:
        tr.started[job.arm.label] = job
        tr.attach(block=True)
        status = {0: "FINISHED", 130: "KILLED"}.get(job.code, "FAILED")
        tr.loggers[job.arm.label].finish(status, job.arm.out_dir if status == "FINISHED" else None)
        say(f"{job.arm.label}: {status.lower()}")

    def on_tick() -> None:
        tr.attach()

    def still_needed(job: Job) -> bool:
        done = finished_meanwhile(job)
        if done is None:
            return True
        tr.reused_late[job.arm.label] = done.info.run_id
        say(f"{job.arm.label}: reuse run {done.info.run_id}, trained meanwhile by another run")
        return False

    def on_start(job: Job) -> None:
        tr.started[job.arm.label] = job

    try:
        run_jobs(jobs, list(run.slots), run.ws.root, on_tick=on_tick, still_needed=still_needed, on_done=on_done,
                 on_start=on_start)
        tr.ready(block=True)  # every arm reused: the parent still opens
    except KeyboardInterrupt:
        progress.close()
        tr.attach(block=True)
        tr.client.set_terminated(tr.parent, status="KILLED")
        raise Interrupted(f"interrupted; finished {what} are kept in MLflow, stopped ones saved a "
                          f"checkpoint; parent run {tr.parent} marked KILLED, the note is unchanged",
                          hint="run the same command again to continue") from None
    except BaseException:
        progress.close()
        if tr.ready(block=True):
            tr.client.set_terminated(tr.parent, status="FAILED")
        raise
    progress.close()
    try:
        return conclude()
    except BaseException:
        tr.client.set_terminated(tr.parent, status="FAILED")
        raise
