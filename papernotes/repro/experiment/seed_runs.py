"""`papernotes repro --seeds N` run: one parent run, a nested run per trained seed (seeds.py
plans and decides them), the summary on the parent, one row in the note.

The parent is opened once the store is ready (at once on a store that exists; on a new one when
its warm-up is done), as `idea run`'s is (arm_runs.IdeaTracking, which this specialises: the
parent's tags, and the seed runs' tags without an arm). Reused seeds stay where they are (their
ids are on the parent's `papernotes.reused` and `papernotes.seed_runs` tags). Once every seed has
its run: the parent carries `METRIC.mean/.sd/.n/.ci95_low/.ci95_high` for each eval metric
(results/seed_stats.py), is marked FINISHED, and the note's repro region gets one row for the
config (results/writeback.write_seed_row), then the board is regenerated.

Reference: idea_run._execute (both train through arms_exec.train_arms) and idea_run._conclude.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Callable

from papernotes.core.workspace import find_workspace
from papernotes.repro.experiment import arm_runs as et
from papernotes.repro.experiment.arms import Job
from papernotes.repro.experiment.arms_exec import ArmsLaunch, machine_slots, train_arms
from papernotes.repro.experiment.decisions import Action
from papernotes.repro.experiment.plan import with_threads
from papernotes.repro.experiment.seeds import METRIC, SeedsResult, decide, plan_seeds
from papernotes.repro.launch import preflight
from papernotes.repro.run.options import ReproOptions
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import new_client, resolve_tracking_uri, ui_link
from papernotes.ssl.config import config_to_dict


def run_seeds(opts: ReproOptions, seeds: int, parallel: int | None = None,
              echo: Callable[[str], None] = print) -> SeedsResult:
    ws = find_workspace(opts.workspace)
    sp = plan_seeds(opts, seeds, parallel, ws)
    uri = resolve_tracking_uri(opts.tracking_uri, os.environ, ws.tracking_uri)
    preflight.check_tracking(uri)
    decisions, client, exp_id = decide(sp, uri)
    todo = [d for d in decisions if d.action != Action.REUSE]
    slots, split = machine_slots(sp, parallel, len(todo)) if todo else ([], "")
    todo = [replace(d, arm=with_threads(d.arm, slots[0].threads)) for d in todo]
    echo(f"{sp.title}: {seeds} seed(s), {sp.device}")
    for d in decisions:
        echo(d.line())
    echo(f"  {len(todo)} to train, {len(decisions) - len(todo)} reused" + (f"; {split}" if todo else ""))
    if opts.dry_run:
        return SeedsResult("dry-run", reused=len(decisions) - len(todo), trained=len(todo))
    if client is not None:  # what writes the runs: MLflow's own client
        client = new_client(uri)
    launch = ArmsLaunch(sp, opts, ws, uri, tuple(decisions), tuple(todo), tuple(slots), echo)
    return execute(launch, client, exp_id)


class SeedTracking(et.IdeaTracking):
    """The parent run of `repro --seeds` and its seed loggers."""

    def parent_name_and_tags(self) -> tuple[str, dict[str, str]]:
        sp = self.exp
        return f"{sp.title} x{len(sp.arms)} seeds", {
            tags.SPEC: sp.spec.name, tags.PROFILE: sp.profile, tags.NOTE: sp.spec.paper,
            tags.OVERRIDES: " ".join(sp.overrides), tags.SEEDS: str(len(sp.arms))}

    def logger(self, job: Job, resume_run: str | None) -> et.ArmLogger:
        arm, sp = job.arm, self.exp
        run_tags = tags.run_tags(spec=sp.spec.name, profile=sp.profile, note=sp.spec.paper,
                                 overrides=sp.overrides, config_hash=arm.hash, seed=arm.seed)
        params = {**config_to_dict(arm.config), "world_size": arm.plan.world_size,
                  "spec": sp.spec.name, "profile": sp.profile}
        log = et.ArmLogger(f"{sp.title} seed {arm.seed}", params, run_tags, resume_run)
        self.loggers[arm.label] = log
        return log


def execute(run: ArmsLaunch, client, exp_id: str | None):
    """Train the seeds `run.todo` under the parent run, then conclude; the parent is marked
    KILLED or FAILED if that does not happen."""
    tr = SeedTracking(run.exp, run.uri, run.ws, client, exp_id)

    def finished_meanwhile(job: Job):
        """The run another run finished for this seed while this one waited for it."""
        if not tr.ready():
            return None
        return et.find_finished(tr.client, tr.exp_id, job.arm.hash, METRIC)

    return train_arms(run, tr, finished_meanwhile, "seeds", lambda: conclude(run, tr))


def conclude(run: ArmsLaunch, tr: SeedTracking):
    """The summary on the parent run, then the note's row and the board."""
    from mlflow.entities import Metric, RunTag

    from papernotes.repro.results.our_protocol import our_protocol
    from papernotes.repro.results.run_record import card_ledger, ledger_lines, record_run
    from papernotes.repro.results.seed_row import SeedRow, SeedRun
    from papernotes.repro.results.seed_stats import summarize_runs

    sp, client = run.exp, tr.client
    run_of = {d.arm.label: d.run_id for d in run.decisions}
    run_of.update({label: log.run_id for label, log in tr.loggers.items() if log.run_id})
    run_of.update(tr.reused_late)
    reused = ([run_of[d.arm.label] for d in run.decisions if d.action == Action.REUSE]
              + list(tr.reused_late.values()))
    seed_runs = [client.get_run(run_of[a.label]) for a in sp.arms]
    stats = summarize_runs([r.data.metrics for r in seed_runs])
    now = int(time.time() * 1000)
    numbers = [Metric(k, float(v), now, 0) for name, s in stats.items() for k, v in s.metrics(name).items()]
    client.log_batch(tr.parent, metrics=numbers, tags=[
        RunTag(tags.REUSED, " ".join(reused)),
        RunTag(tags.SEED_RUNS, " ".join(r.info.run_id for r in seed_runs))])
    client.set_terminated(tr.parent, status="FINISHED")
    link = ui_link(run.uri, tr.exp_id, tr.parent)
    first = seed_runs[0].data.tags
    cfg = sp.res.config
    hardware = first.get("hardware") or cfg.train.device
    if sp.arms[0].plan.world_size > 1:
        hardware = f"{sp.arms[0].plan.world_size}x {hardware}"
    dataset = first.get("dataset.name") or cfg.data.name
    ours, top1 = our_protocol(cfg, dataset), stats.get("eval/linear_top1")
    row = SeedRow(run_id=tr.parent, date=time.strftime("%Y-%m-%d"), spec=sp.title,
                  backbone=cfg.model.arch, dataset=dataset,
                  epochs=cfg.train.epochs, batch=cfg.train.batch_size, stats=stats,
                  hardware=hardware,
                  wall_time_s=sum(float(r.data.metrics.get("time/wall_s", 0.0)) for r in seed_runs),
                  link=link, seeds=tuple(SeedRun(a.seed, r.info.run_id, ui_link(run.uri, tr.exp_id, r.info.run_id))
                                         for a, r in zip(sp.arms, seed_runs)),
                  protocol=ours.text(), ledger=tuple(ledger_lines(card_ledger(
                      sp.spec.paper, ours, top1.mean if top1 else None))))
    note = _write_note(run, row)
    headline = f"{sp.title} x{len(seed_runs)} seeds: linear top-1 " + (
        top1.text() + (f", 95% CI {top1.ci_text()}" if top1.ci_low is not None else "") if top1 else "–")
    record_run(client, tr.parent, sp.spec.paper, note.stem if note is not None else sp.spec.paper,
               headline, ours, top1.mean if top1 else None)
    return SeedsResult("FINISHED", tr.parent, link, stats, note, reused=len(reused),
                       trained=len(run.todo) - len(tr.reused_late))


def _write_note(run: ArmsLaunch, row):
    from papernotes.notes.vault import note_path
    from papernotes.repro.results.seed_row import write_seed_row
    from papernotes.repro.run.publish import paper_note, refresh_board
    from papernotes.repro.spec.find import note_for

    ws, res, echo = run.ws, run.exp.res, run.echo
    note = note_for(run.opts.name, ws, res) or paper_note(ws, res.spec.paper, echo)
    if note is not None:
        write_seed_row(note, ws.root, row, res.spec.expected)
    else:
        echo(f"no note {note_path(ws, res.spec.paper)}; results not written back")
    refresh_board(ws, run.uri, echo)
    return note
