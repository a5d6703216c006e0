"""`papernotes idea run KEY ID`: a patch against its baseline over N seeds, and its verdict.

    plan (plan.py) -> which arms MLflow already has (decisions.py: reuse / resume / start)
    -> [dry run: the list] -> arms in processes, K at once (arms_exec.py, arms.py), each logged under one
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
from pathlib import Path
from typing import Callable

from papernotes.core.workspace import find_workspace
from papernotes.notes.model.ideas_model import PatchStatus, Verdict
from papernotes.repro.experiment import arm_runs as et
from papernotes.repro.experiment.arms import Job, Slot
from papernotes.repro.experiment.arms_exec import ArmsLaunch, machine_slots, train_arms
from papernotes.repro.experiment.decisions import Action, decide_arms
from papernotes.repro.experiment.plan import Experiment, ExperimentOptions, plan_experiment, with_threads
from papernotes.repro.experiment.report import code_links, comparison_markdown, result_line, unchanged_line
from papernotes.repro.launch import cores, preflight
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import new_client, resolve_tracking_uri, ui_link


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
    decisions, client, exp_id = decide_arms(exp.arms, exp.spec.paper, exp.expect.metric, uri, opts.reuse)
    todo = [d for d in decisions if d.action != Action.REUSE]
    slots, split = machine_slots(exp, opts.parallel, len(todo)) if todo else ([], "")
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
    run = ArmsLaunch(exp, opts, ws, uri, tuple(decisions), tuple(todo), tuple(slots), echo)
    return _execute(run, et.IdeaTracking(exp, uri, ws, client, exp_id))


def _execute(run: ArmsLaunch, tr: et.IdeaTracking) -> IdeaRunResult:
    """Train the arms `run.todo` (logged under the parent run as the store allows), then
    conclude; the parent run is marked KILLED or FAILED if that does not happen."""
    exp, opts = run.exp, run.opts

    def finished_meanwhile(job: Job):
        """The run another `idea run` finished for this arm while this one waited for it."""
        client = tr.client if tr.client is not None else (
            tr.warmup.client() if tr.warmup is not None and tr.warmup.ready() else None)
        exp_id = tr.exp_id
        if client is not None and exp_id is None:
            found = client.get_experiment_by_name(exp.spec.paper)
            exp_id = found.experiment_id if found else None
        return (et.find_finished(client, exp_id, job.arm.hash, exp.expect.metric,
                                 et.ran_params(job.arm.config, job.arm.plan.world_size))
                if client is not None and exp_id is not None and opts.reuse else None)

    return train_arms(run, tr, finished_meanwhile, "arms",
                      lambda: _conclude(run, tr, trained=len(run.todo) - len(tr.reused_late)))


def _conclude(run: ArmsLaunch, tr: et.IdeaTracking, trained: int) -> IdeaRunResult:
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

