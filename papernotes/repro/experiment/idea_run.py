"""`papernotes idea run KEY ID`: a patch against its baseline over N seeds, and its verdict.

    plan (experiment.py) -> which arms MLflow already has (reuse / resume / start)
    -> [dry run: the list] -> arms in processes, K at once (arms.py), each logged under one
    parent MLflow run (experiment_tracking.py) -> paired verdict (verdict.py)
    -> comparison on the parent run -> the patch in the note (writeback.record_verdict)

Ctrl-C stops every arm (each saves a checkpoint; its run is marked KILLED), marks the parent
KILLED and leaves the note untouched; the same command then reuses what finished and resumes
what was stopped. A new SQLite store is created while the first arms train.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import find_workspace
from papernotes.notes.model.ideas_model import Verdict
from papernotes.repro.experiment import arm_runs as et
from papernotes.repro.experiment.arms import Job, Slot, run_jobs
from papernotes.repro.experiment.plan import Arm, Experiment, ExperimentOptions, plan_experiment, with_threads
from papernotes.repro.experiment.progress import make_arms_progress
from papernotes.repro.experiment.report import comparison_markdown, result_line
from papernotes.repro.launch import cores, preflight
from papernotes.repro.launch.layout import write_run_file
from papernotes.repro.run.publish import artifact_location as _artifact_location
from papernotes.repro.run.runner import Interrupted
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import experiment_id, new_client, resolve_tracking_uri, tracking_error
from papernotes.repro.tracking.store_warmup import StoreWarmup, store_is_new
from papernotes.ssl.config import config_to_dict


@dataclass
class Decision:
    arm: Arm
    action: str  # "reuse", "resume" or "start"
    run_id: str | None = None


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
        return [Decision(a, "start") for a in exp.arms], None, None
    client = new_client(uri)
    try:
        found = client.get_experiment_by_name(exp.spec.paper)
    except Exception as exc:
        raise tracking_error(exc, uri) from None
    out = []
    for arm in exp.arms:
        run = resumable = None
        if found is not None and reuse:
            run = et.find_finished(client, found.experiment_id, arm.hash, exp.expect.metric)
        if found is not None and run is None and reuse:
            resumable = et.find_resumable(client, found.experiment_id, arm.hash, arm.out_dir)
        if run is not None:
            out.append(Decision(arm, "reuse", run.info.run_id))
        elif resumable:
            out.append(Decision(arm, "resume", resumable))
        else:
            out.append(Decision(arm, "start"))
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
        return slots, f"{k} at once, {exp.gpus} GPU(s) each: " + " | ".join(",".join(s.gpus) for s in slots)
    avail = cores.available_cores()
    k = max(1, min(parallel or len(avail) // nproc, arms))
    threads = cores.cpu_threads(exp.arms[0].config.train.threads, k * nproc, len(avail))
    pins = cores.cpu_slots(k, avail)
    slots = [Slot(cpus=p, threads=threads) for p in pins]
    where = " | ".join(",".join(map(str, p)) for p in pins) if pins[0] else "shared"
    return slots, f"{k} at once, {nproc} process(es) x {threads} thread(s) each, cores {where}"


def run_idea(opts: ExperimentOptions, echo: Callable[[str], None] = print) -> IdeaRunResult:
    ws = find_workspace(opts.workspace)
    exp = plan_experiment(opts, ws)
    uri = resolve_tracking_uri(opts.tracking_uri, os.environ, ws.tracking_uri)
    preflight.check_tracking(uri)
    decisions, client, exp_id = _decide(exp, uri, opts.reuse)
    todo = [d for d in decisions if d.action != "reuse"]
    slots, split = _slots(exp, opts.parallel, len(todo)) if todo else ([], "")
    todo = [Decision(with_threads(d.arm, slots[0].threads), d.action, d.run_id) for d in todo]
    echo(f"{exp.name} \"{exp.patch.text}\": {exp.expect}, {len(exp.pairs())} seeds, spec "
         f"{exp.spec.name} profile {exp.profile}, {exp.device}")
    for d in decisions:
        what = {"reuse": f"reuse run {d.run_id}", "resume": f"resume run {d.run_id} from its checkpoint",
                "start": "start"}[d.action]
        echo(f"  {d.arm.label:<12} {what}  (config {d.arm.hash[:12]}, {d.arm.out_dir})")
    if todo:
        echo(f"  {len(todo)} to train, {len(decisions) - len(todo)} reused; {split}")
    if opts.dry_run:
        return IdeaRunResult("dry-run", reused=len(decisions) - len(todo), trained=len(todo))
    return _execute(exp, opts, ws, uri, decisions, todo, slots, client, exp_id, echo)


class _Tracking:
    """The parent run and the arm loggers, opened once the store is ready."""

    def __init__(self, exp: Experiment, uri: str, ws, client, exp_id: str | None) -> None:
        self.exp, self.uri, self.ws = exp, uri, ws
        self.warmup = StoreWarmup(uri) if client is None else None
        self.client, self.exp_id, self.parent = client, exp_id, None
        self.loggers: dict[str, et.ArmLogger] = {}
        self.started: dict[str, Job] = {}
        self.reused_late: dict[str, str] = {}  # label -> run another process finished meanwhile

    def ready(self, block: bool = False) -> bool:
        if self.parent is not None:
            return True
        if self.warmup is not None:
            if not (block or self.warmup.ready()):
                return False
            self.client = self.warmup.client()
        exp = self.exp
        if self.exp_id is None:
            self.exp_id = experiment_id(self.client, exp.spec.paper,
                                           _artifact_location(self.uri, self.ws, exp.spec.paper), self.uri)
        self.parent = et.start_parent(self.client, self.exp_id, f"{exp.name} {exp.patch.text}"[:200], {
            tags.PATCH: exp.name, tags.NOTE: exp.key, tags.SPEC: exp.spec.name,
            tags.PROFILE: exp.profile, tags.EXPECT: str(exp.expect),
            tags.SEEDS: str(len(exp.pairs())), tags.OVERRIDES: " ".join(exp.overrides),
            tags.PATCH_SETS: " ".join(exp.patch.sets)})
        return True

    def logger(self, job: Job, resume_run: str | None) -> et.ArmLogger:
        arm, exp = job.arm, self.exp
        arm_tags = {tags.ARM: arm.arm, **tags.run_tags(
            spec=exp.spec.name, profile=exp.profile, note=exp.spec.paper,
            overrides=exp.overrides + (exp.patch.sets if arm.arm == "patch" else ()),
            config_hash=arm.hash, seed=arm.seed)}
        params = {**config_to_dict(arm.config), "world_size": arm.plan.world_size,
                  "spec": exp.spec.name, "profile": exp.profile}
        log = et.ArmLogger(f"{exp.name} {arm.arm} seed {arm.seed}", params, arm_tags, resume_run)
        self.loggers[arm.label] = log
        return log

    def attach(self, block: bool = False) -> None:
        if not self.ready(block):
            return
        for label, job in self.started.items():
            log = self.loggers[label]
            if log.run_id is None:
                log.attach(self.client, self.exp_id, self.parent)
                write_run_file(job.arm.out_dir, log.run_id, self.exp_id, self.uri)
            log.flush()


def _execute(exp, opts, ws, uri, decisions, todo, slots, client, exp_id, echo) -> IdeaRunResult:
    tr = _Tracking(exp, uri, ws, client, exp_id)
    progress = make_arms_progress(opts.terminal, echo)
    say = progress.print
    jobs = []
    for d in todo:
        job = Job(d.arm, sink=lambda e: None, resume=d.action == "resume")
        log = tr.logger(job, d.run_id if d.action == "resume" else None)
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
        run = (et.find_finished(client, exp_id, job.arm.hash, exp.expect.metric)
               if client is not None and exp_id is not None and opts.reuse else None)
        if run is None:
            return True
        tr.reused_late[job.arm.label] = run.info.run_id
        say(f"{job.arm.label}: reuse run {run.info.run_id}, trained meanwhile by another run")
        return False

    def on_start(job: Job) -> None:
        tr.started[job.arm.label] = job

    try:
        run_jobs(jobs, slots, ws.root, on_tick=on_tick, still_needed=still_needed, on_done=on_done,
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
        return _conclude(exp, ws, uri, tr, decisions, len(todo) - len(tr.reused_late), echo)
    except BaseException:
        tr.client.set_terminated(tr.parent, status="FAILED")
        raise


def _conclude(exp: Experiment, ws, uri: str, tr: _Tracking, decisions: list[Decision],
              trained: int, echo) -> IdeaRunResult:
    from papernotes.repro.experiment.verdict import verdict
    from papernotes.repro.results.writeback import record_verdict

    run_of = {d.arm.label: d.run_id for d in decisions}
    run_of.update({label: log.run_id for label, log in tr.loggers.items() if log.run_id})
    run_of.update(tr.reused_late)
    reused = [run_of[d.arm.label] for d in decisions if d.action == "reuse"] + list(tr.reused_late.values())
    metric = exp.expect.metric
    values = {a.label: et.run_metric(tr.client, run_of[a.label], metric) for a in exp.arms}
    pairs = exp.pairs()
    base = [values[b.label] for b, _ in pairs]
    patch = [values[p.label] for _, p in pairs]
    link = et.link(uri, tr.exp_id, tr.parent)
    status, v, cmp = verdict(base, patch, exp.expect, link=link)
    numbers = {f"compare/{k}": getattr(cmp, k) for k in ("n", "baseline_mean", "baseline_sd",
                                                          "patch_mean", "patch_sd", "diff_mean",
                                                          "diff_sd", "ci_low", "ci_high")}
    if v.seeds_needed is not None:
        numbers["compare/seeds_needed"] = v.seeds_needed
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "comparison.md"
        report.write_text(comparison_markdown(exp, pairs, values, run_of, status, v), encoding="utf-8")
        et.log_comparison(tr.client, tr.parent, numbers,
                          {tags.VERDICT: status.value, tags.METRIC: metric,
                           tags.REUSED: " ".join(reused)}, report)
    tr.client.set_terminated(tr.parent, status="FINISHED")
    note = exp.note_path
    other_profile = exp.profile if exp.profile != (exp.patch.profile or exp.spec.default_profile) else None
    recorded = record_verdict(note, exp.patch, status, v, tr.parent,
                              result_line(exp.expect, v, other_profile, exp.overrides))
    if not recorded:
        echo(f"patch {exp.patch.id} changed while it ran: its verdict is on the parent run only")
    return IdeaRunResult(status.value, v, tr.parent, link, len(reused), trained, note, recorded,
                         values)

