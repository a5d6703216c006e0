"""`papernotes idea run KEY ID`: a patch against its baseline over N seeds, and its verdict.

    plan (plan.py) -> which arms MLflow already has (reuse / resume / start)
    -> [dry run: the list] -> arms in processes, K at once (arms.py), each logged under one
    parent MLflow run (arm_runs.py) -> paired verdict (verdict.py)
    -> comparison on the parent run -> the patch in the note (writeback.record_verdict)

Ctrl-C stops every arm (each saves a checkpoint; its run is marked KILLED), marks the parent
KILLED and leaves the note untouched; the same command then reuses what finished and resumes
what was stopped. A new SQLite store is made (by a child process) while the first arms train.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError
from papernotes.core.words import count
from papernotes.core.workspace import Workspace, find_workspace
from papernotes.notes.model.ideas_model import PatchStatus, Verdict
from papernotes.repro.experiment import arm_runs as et
from papernotes.repro.experiment.arms import Job, Slot, run_jobs
from papernotes.repro.experiment.plan import Arm, Experiment, ExperimentOptions, plan_experiment, with_threads
from papernotes.repro.experiment.progress import make_arms_progress
from papernotes.repro.experiment.report import code_links, comparison_markdown, result_line, unchanged_line
from papernotes.repro.launch import cores, preflight
from papernotes.repro.run.options import Interrupted
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import new_client, resolve_tracking_uri, tracking_error, ui_link
from papernotes.repro.tracking.store_read import light_reader
from papernotes.repro.tracking.store_warmup import store_is_new


class Action(Enum):
    """What `idea run` does with an arm, from what the store holds."""

    REUSE = "reuse"  # a FINISHED run with its config hash carries the metric
    RESUME = "resume"  # a KILLED run of it left its checkpoint in the arm's folder
    START = "start"


@dataclass(frozen=True)
class Decision:
    arm: Arm
    action: Action
    run_id: str | None = None  # the run reused or resumed

    def line(self) -> str:
        what = {Action.REUSE: f"reuse run {self.run_id}", Action.START: "start",
                Action.RESUME: f"resume run {self.run_id} from its checkpoint"}[self.action]
        return f"  {self.arm.label:<12} {what}  (config {self.arm.hash[:12]}, {self.arm.out_dir})"


@dataclass(frozen=True)
class IdeaLaunch:
    """One `idea run`, planned and decided: the experiment, its options, where it writes, what
    each arm does (`decisions`), the arms to train (`todo`, threads set) on their machine
    shares (`slots`), and where lines go."""

    exp: Experiment
    opts: ExperimentOptions
    ws: Workspace
    uri: str
    decisions: tuple[Decision, ...]
    todo: tuple[Decision, ...]
    slots: tuple[Slot, ...]
    echo: Callable[[str], None]


@dataclass(frozen=True)
class IdeaRunResult:
    status: str  # the verdict, or "dry-run"
    verdict: Verdict | None = None
    parent_run_id: str | None = None
    link: str | None = None
    reused: int = 0
    trained: int = 0
    note: Path | None = None
    recorded: bool = False
    values: dict = field(default_factory=dict)  # label -> metric value


def _decide(exp: Experiment, uri: str, reuse: bool) -> tuple[list[Decision], object, str | None]:
    """What to do with each arm, from what the store holds (nothing, for a new store)."""
    if store_is_new(uri):
        return [Decision(a, Action.START) for a in exp.arms], None, None
    client = light_reader(uri) or new_client(uri)  # reads only: sqlite3 where it can
    try:
        found = client.get_experiment_by_name(exp.spec.paper)
    except Exception as exc:
        raise tracking_error(exc, uri) from None
    out = []
    for arm in exp.arms:
        run = resumable = None
        ran = et.ran_params(arm.config, arm.plan.world_size)
        if found is not None and reuse:
            run = et.find_finished(client, found.experiment_id, arm.hash, exp.expect.metric, ran)
        if found is not None and run is None and reuse:
            resumable = et.find_resumable(client, found.experiment_id, arm.hash, arm.out_dir, ran)
        if run is not None:
            out.append(Decision(arm, Action.REUSE, run.info.run_id))
        elif resumable:
            out.append(Decision(arm, Action.RESUME, resumable))
        else:
            out.append(Decision(arm, Action.START))
    return out, client, found.experiment_id if found else None


def _slots(exp: Experiment, parallel: int | None, arms: int) -> tuple[list[Slot], str]:
    """Machine shares for the arms, and a line saying how the machine is split. `parallel`
    None: as many arms at once as the machine holds, each with at least a core (or its GPUs)
    per process: one-thread ranks side by side use a CPU better than threads of one process."""
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


def _warn_neighbours(exp: Experiment, slots: list[Slot], echo: Callable[[str], None]) -> None:
    """A line when runs of other commands train on the cores the arms are about to take."""
    from papernotes.repro.launch.neighbours import busy_runs, cores_warning

    root = exp.arms[0].out_dir.parent.parent.parent  # <runs>/<profile>/arms/<hash>
    mine = sum((s.threads or 1) * exp.arms[0].plan.nproc_per_node for s in slots)
    line = cores_warning(busy_runs(root, depth=3), mine, len(cores.available_cores()))
    if line:
        echo(f"  warning: {line}")


def run_idea(opts: ExperimentOptions, echo: Callable[[str], None] = print) -> IdeaRunResult:
    ws = find_workspace(opts.workspace)
    exp = plan_experiment(opts, ws)
    uri = resolve_tracking_uri(opts.tracking_uri, os.environ, ws.tracking_uri)
    preflight.check_tracking(uri)
    decisions, client, exp_id = _decide(exp, uri, opts.reuse)
    todo = [d for d in decisions if d.action != Action.REUSE]
    slots, split = _slots(exp, opts.parallel, len(todo)) if todo else ([], "")
    todo = [replace(d, arm=with_threads(d.arm, slots[0].threads)) for d in todo]
    echo(f"{exp.name} \"{exp.patch.text}\": {exp.expect}, {len(exp.pairs())} seeds, spec "
         f"{exp.spec.name} profile {exp.profile}, {exp.device}")
    for d in decisions:
        echo(d.line())
    if todo:
        echo(f"  {len(todo)} to train, {len(decisions) - len(todo)} reused; {split}")
        if exp.device == "cpu" and not opts.dry_run:
            _warn_neighbours(exp, slots, echo)
    if opts.dry_run:
        return IdeaRunResult("dry-run", reused=len(decisions) - len(todo), trained=len(todo))
    if client is not None:  # what writes the runs: MLflow's own client
        client = new_client(uri)
    run = IdeaLaunch(exp, opts, ws, uri, tuple(decisions), tuple(todo), tuple(slots), echo)
    return _execute(run, et.IdeaTracking(exp, uri, ws, client, exp_id))


def _execute(run: IdeaLaunch, tr: et.IdeaTracking) -> IdeaRunResult:
    """Train the arms `run.todo` (logged under the parent run as the store allows), then
    conclude; the parent run is marked KILLED or FAILED if that does not happen."""
    exp, opts = run.exp, run.opts
    progress = make_arms_progress(opts.terminal, run.echo)
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
        """False when another `idea run` finished this arm while this one waited for it."""
        client = tr.client if tr.client is not None else (
            tr.warmup.client() if tr.warmup is not None and tr.warmup.ready() else None)
        exp_id = tr.exp_id
        if client is not None and exp_id is None:
            found = client.get_experiment_by_name(exp.spec.paper)
            exp_id = found.experiment_id if found else None
        done = (et.find_finished(client, exp_id, job.arm.hash, exp.expect.metric,
                                 et.ran_params(job.arm.config, job.arm.plan.world_size))
                if client is not None and exp_id is not None and opts.reuse else None)
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
    except KeyboardInterrupt:
        progress.close()
        tr.attach(block=True)
        tr.client.set_terminated(tr.parent, status="KILLED")
        raise Interrupted(f"interrupted; finished arms are kept in MLflow, stopped ones saved a "
                          f"checkpoint; parent run {tr.parent} marked KILLED, the note is unchanged",
                          hint="run the same command again to continue") from None
    except BaseException:
        progress.close()
        if tr.ready(block=True):
            tr.client.set_terminated(tr.parent, status="FAILED")
        raise
    progress.close()
    tr.ready(block=True)
    try:
        return _conclude(run, tr, trained=len(run.todo) - len(tr.reused_late))
    except BaseException:
        tr.client.set_terminated(tr.parent, status="FAILED")
        raise


def _conclude(run: IdeaLaunch, tr: et.IdeaTracking, trained: int) -> IdeaRunResult:
    """The verdict from every arm's metric, on the parent run and then on the patch."""
    from papernotes.repro.experiment.verdict import verdict
    from papernotes.repro.results.writeback import record_verdict

    exp, decisions = run.exp, run.decisions
    run_of = {d.arm.label: d.run_id for d in decisions}
    run_of.update({label: log.run_id for label, log in tr.loggers.items() if log.run_id})
    run_of.update(tr.reused_late)
    reused = ([run_of[d.arm.label] for d in decisions if d.action == Action.REUSE]
              + list(tr.reused_late.values()))
    metric = exp.expect.metric
    values = {a.label: et.run_metric(tr.client, run_of[a.label], metric) for a in exp.arms}
    pairs = exp.pairs()
    base = [values[b.label] for b, _ in pairs]
    patch = [values[p.label] for _, p in pairs]
    link = ui_link(run.uri, tr.exp_id, tr.parent, run.ws.ui_base)
    status, v, cmp = verdict(base, patch, exp.expect, link=link)
    unchanged = base == patch  # seed for seed: an untouched starting file (idea code)
    if unchanged:
        status, v = PatchStatus.inconclusive, v.model_copy(update={"seeds_needed": None})
        run.echo(f"patch {exp.patch.id} does not differ from its baseline yet: {metric} is equal "
                 f"seed for seed")
    numbers = {f"compare/{k}": getattr(cmp, k) for k in ("n", "baseline_mean", "baseline_sd",
                                                          "patch_mean", "patch_sd", "diff_mean",
                                                          "diff_sd", "ci_low", "ci_high")}
    if v.seeds_needed is not None:
        numbers["compare/seeds_needed"] = v.seeds_needed
    other_profile = exp.profile if exp.profile != (exp.patch.profile or exp.spec.default_profile) else None
    line = (unchanged_line(exp.expect, v) if unchanged
            else result_line(exp.expect, v, other_profile, exp.overrides))
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "comparison.md"
        report.write_text(comparison_markdown(exp, pairs, values, run_of, status, v), encoding="utf-8")
        et.log_comparison(tr.client, tr.parent, numbers,
                          {tags.VERDICT: status.value, tags.METRIC: metric,
                           tags.REUSED: " ".join(reused), tags.NOTE_CONTENT:
                           f"[[{exp.note_path.stem}]] {exp.name} \"{exp.patch.text}\": {line}"}, report)
    tr.client.set_terminated(tr.parent, status="FINISHED")
    note = exp.note_path
    code = code_links(exp, note)
    recorded = record_verdict(note, exp.patch, status, v, tr.parent, line + (f"; code {code}" if code else ""),
                              exp.profile)
    if not recorded:
        run.echo(f"patch {exp.patch.id} changed while it ran: its verdict is on the parent run only")
    return IdeaRunResult(status.value, v, tr.parent, link, len(reused), trained, note, recorded,
                         values)

