"""`papernotes repro`: resolve a spec profile, check, launch, track, write back.

    resolve (spec + --set) -> preflight -> [dry run: print commands] -> MLflow run
    -> its folder <out_dir>/<run id>/, locked -> engine (in-process, or torchrun tailing rank 0's
    events) -> artifacts -> note -> board (notes/board.md: publish.py)

On a workspace whose SQLite store does not exist yet, training starts at once in a folder named
by a fresh id while a thread creates the store (store_warmup.py); the run opens when it is ready
and logs the engine's events in order.

Exactly one MLflow run per launch, opened and closed here (never in the ranks). A failed or
interrupted run is marked FAILED/KILLED and leaves the note byte-identical. Each run trains in
its own folder (launch/layout.py), so concurrent runs of one profile never share files, and
`--resume [RUN_ID]` continues a named run (the latest KILLED one by default).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from papernotes.core.atomic import atomic_write_text
from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import Workspace, find_workspace
from papernotes.repro.launch import engine as launch
from papernotes.repro.launch import layout, preflight
from papernotes.repro.launch.cores import cpu_threads
from papernotes.repro.run import plots, publish, resume
from papernotes.repro.spec.config_hash import config_hash
from papernotes.repro.spec.find import spec_for
from papernotes.repro.spec.model import Resolved, load_spec, resolve
from papernotes.repro.spec.overrides import parse_overrides
from papernotes.repro.tracking.client import resolve_tracking_uri, ui_link
from papernotes.repro.tracking.events import flatten
from papernotes.repro.tracking.sink import Tracker, git_commit
from papernotes.repro.tracking.store_warmup import DeferredStart, StoreWarmup, store_is_new
from papernotes.repro.tracking.tags import GIT_COMMIT, run_tags
from papernotes.ssl.config import config_to_dict


@dataclass(frozen=True)
class ReproOptions:
    name: str
    profile: str | None = None
    overrides: tuple[str, ...] = ()
    gpus: int | None = None
    device: str | None = None  # "cpu" forces CPU ranks
    nproc_per_node: int | None = None
    nnodes: int = 1
    node_rank: int = 0
    rdzv_endpoint: str | None = None
    master_port: int | None = None
    resume: bool | str | None = None  # True or "latest": the latest KILLED run; else a run id
    dry_run: bool = False
    tracking_uri: str | None = None
    save: bool = False  # write the --set overrides into the spec's profile (comments kept)
    workspace: Path | None = None
    terminal: bool = False


@dataclass(frozen=True)
class ReproResult:
    status: str  # FINISHED, or "dry-run"
    run_id: str | None = None
    link: str | None = None
    metrics: dict = dataclasses.field(default_factory=dict)
    note: Path | None = None
    out_dir: Path | None = None
    tracking_uri: str | None = None


class Interrupted(PapernotesError):
    exit_code = 130


def prepare(opts: ReproOptions, ws: Workspace) -> tuple[Resolved, launch.LaunchPlan, int]:
    """The resolved profile (device and absolute out_dir set), the launch plan and GPUs used."""
    path = spec_for(opts.name, ws)
    spec, doc = load_spec(path)
    res = resolve(spec, doc, path, opts.profile, parse_overrides(opts.overrides), opts.overrides)
    cfg = res.config
    if opts.device == "cpu" or (opts.gpus is None and res.gpus == 0 and opts.device is None
                                and cfg.train.device == "cpu"):
        gpus, nproc, device = 0, opts.nproc_per_node or 1, "cpu"
    else:
        gpus = opts.gpus if opts.gpus is not None else res.gpus
        nproc = opts.nproc_per_node or max(gpus, 1)
        device = "cuda" if gpus > 0 else (opts.device or cfg.train.device)
    out_dir = Path(cfg.out_dir)
    if not out_dir.is_absolute():
        out_dir = ws.root / out_dir
    plan = launch.LaunchPlan(nproc, opts.nnodes, opts.node_rank, opts.rdzv_endpoint,
                             opts.master_port)
    # torch's SyncBatchNorm is CUDA-only: CPU ranks (gloo) keep per-rank BN statistics
    sync_bn = cfg.train.sync_bn and not (device == "cpu" and plan.distributed)
    # CPU ranks split the cores: processes x threads never exceed them (repro/launch/cores.py)
    threads = cpu_threads(cfg.train.threads, plan.nproc_per_node) if device == "cpu" else cfg.train.threads
    cfg = replace(cfg, out_dir=str(out_dir),
                  train=replace(cfg.train, device=device, sync_bn=sync_bn, threads=threads))
    return replace(res, config=cfg), plan, gpus


def run_repro(opts: ReproOptions, echo: Callable[[str], None] = print) -> ReproResult:
    ws = find_workspace(opts.workspace)
    res, plan, gpus = prepare(opts, ws)
    cfg = res.config
    base = Path(cfg.out_dir)  # this profile's runs: <base>/<run id>/
    uri = resolve_tracking_uri(opts.tracking_uri, os.environ, ws.tracking_uri)
    preflight.check_launch(plan, gpus, uri, device=cfg.train.device, dry_run=opts.dry_run, echo=echo,
                           device_field="--device" if opts.device else "train.device")
    if opts.save:  # validated and checked: now the spec may change (a dry run only shows how)
        from papernotes.repro.spec.save import save_or_show

        save_or_show(res.path, res.profile, opts.overrides, ws.repro_dir, opts.dry_run, echo)
    wanted = resume.wanted_run(opts.resume)
    what = f"{res.spec.name}/{res.profile}"
    target = None
    if wanted and plan.node_rank == 0:
        target = resume.find_resume(base, uri, wanted, what, echo)
        if target.run_id == "" and not opts.dry_run:  # a folder whose process died before its run opened
            echo(resume.fresh_run_line(target))
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    if opts.dry_run:
        folder = target.path if target else base / "<new run id>"
        echo(f"spec {res.spec.name} profile {res.profile}: world_size {plan.world_size}, "
             f"device {cfg.train.device}, out_dir {folder}, tracking {uri}"
             + (f", resuming {target.label}" if target else ""))
        config_file, events_file = layout.launch_config(folder), layout.events_file(folder, stamp)
        echo("torchrun: " + " ".join(launch.torchrun_command(plan, config_file, events_file,
                                                             bool(wanted))))
        echo("srun: " + launch.srun_line(plan, config_file, events_file, bool(wanted), gpus))
        return ReproResult(status="dry-run", out_dir=folder, tracking_uri=uri)
    if plan.node_rank > 0:  # global rank 0 lives on node 0: its parent alone tracks and writes back
        folder = resume.other_node_folder(base, wanted, plan.node_rank, stamp)
        cfg = replace(cfg, out_dir=str(folder))
        config_file = layout.launch_config(folder, plan.node_rank)
        atomic_write_text(config_file, json.dumps(config_to_dict(cfg), indent=2) + "\n",
                          overwrite=True)
        launch.run_engine(plan, cfg, config_file, layout.events_file(folder, stamp), bool(wanted),
                          lambda event: None, ws.root)
        return ReproResult("FINISHED", out_dir=folder, tracking_uri=uri)
    if not plan.distributed:
        import papernotes.ssl.pretrain  # noqa: F401  (a broken engine fails before a run is opened)
    held = [resume.lock_folder(target.path, target.name)] if target else []
    try:
        return _tracked_run(opts, ws, res, plan, cfg, base, uri, target, stamp, held, echo)
    finally:  # the run's folder stays locked until its results are written
        for lock in held:
            lock.release()


def _tracked_run(opts: ReproOptions, ws: Workspace, res: Resolved, plan, cfg, base: Path, uri: str,
                 target, stamp: str, held: list, echo: Callable[[str], None]) -> ReproResult:
    """Open (or continue) the MLflow run, train in its folder (locked: `held`), log, write back.

    On a store that exists the run opens first and names its folder, `<base>/<run id>/`. On a
    new SQLite store (schema migrations: tens of seconds) training starts at once in a folder
    named by a fresh id while a thread creates the store; the engine's events wait
    (`DeferredStart`) and are logged in order once the run opens. Either way the run records its
    folder (`Tracker.bind_folder`), and the folder its run (its run file, for `--resume`)."""
    tracker = Tracker(uri, res.spec.paper, publish.artifact_location(uri, ws, res.spec.paper))
    params = {**flatten(config_to_dict(cfg)), "world_size": plan.world_size,
              "spec": res.spec.name, "profile": res.profile}
    params.pop("out_dir", None)  # logged by bind_folder, once the run's folder is known
    tags = run_tags(spec=res.spec.name, profile=res.profile, note=res.spec.paper,
                    overrides=res.overrides, config_hash=config_hash(cfg, plan.world_size),
                    seed=cfg.train.seed)
    commit = git_commit(Path(__file__).resolve().parent)
    if commit:
        tags[GIT_COMMIT] = commit
    # a new run (a target without one too: its process died before the run opened) on a store
    # that is not ready trains at once
    warmup = StoreWarmup(uri) if not (target and target.run_id) and store_is_new(uri) else None
    place = {"folder": target.path if target else
             layout.run_folder(base, layout.new_folder_id()) if warmup else None}

    def open_run() -> None:
        tracker.start(params=params, tags=tags, resume_run_id=target.run_id if target else None,
                      run_name=f"{res.spec.name}-{res.profile}")
        place["folder"] = place["folder"] or layout.run_folder(base, tracker.run_id)
        tracker.bind_folder(_made(place["folder"], held, target))

    rec = plots.CurveRecorder()
    progress = None
    opener = DeferredStart(tracker, open_run, warmup)
    try:
        if warmup is None:
            opener.open()  # the run first: it names the folder
        else:
            echo(f"{warmup.waiting}; training starts meanwhile" if warmup.waiting
                 else f"creating the MLflow store {uri} while training starts")
        folder = _made(place["folder"], held, target)
        cfg = replace(cfg, out_dir=str(folder))
        cfg_dict = config_to_dict(cfg)
        config_file = layout.launch_config(folder)
        changed = resume.changed_settings(config_file, cfg_dict) if target else []
        if changed:
            echo(f"warning: resuming run {target.name[:8]} with changed settings: "
                 f"{', '.join(changed)}")
        atomic_write_text(config_file, json.dumps(cfg_dict, indent=2) + "\n", overwrite=True)
        progress = _progress(opts.terminal)
        sink = _fan_out(progress, opener, rec)
        launch.run_engine(plan, cfg, config_file, layout.events_file(folder, stamp), target is not None,
                          sink, ws.root)
        _open_late(opener, echo)
    except KeyboardInterrupt:
        _close(progress)
        if not _finish(opener, tracker, "KILLED", echo):
            raise
        raise _interrupted(opts, res, tracker.run_id, place["folder"]) from None
    except BaseException:
        _close(progress)
        _finish(opener, tracker, "FAILED", echo)
        raise
    progress.close()
    run_id = tracker.run_id
    if rec.end.get("status") == "interrupted":
        tracker.finish("KILLED")
        raise _interrupted(opts, res, run_id, folder)
    link = ui_link(uri, tracker.experiment_id, run_id)
    metrics = {**(rec.eval.get("metrics") or {}), **(rec.end.get("metrics") or {})}
    curves = plots.draw(rec, folder / layout.CURVES, f"{res.spec.name} / {res.profile}")
    publish.log_artifacts(tracker, res, cfg_dict, folder, curves, rec)
    tracker.finish("FINISHED")
    note = publish.write_results(opts.name, ws, uri, res, plan, rec, metrics, run_id, link, curves, echo)
    return ReproResult("FINISHED", run_id, link, metrics, note, folder, uri)


def _made(folder: Path, held: list, target) -> Path:
    """A new run's folder, made and locked for this process (once); a resumed one is held already."""
    if target is None and not held:
        folder.mkdir(parents=True, exist_ok=True)
        held.append(resume.lock_folder(folder, folder.name))
    return folder


def _open_late(opener: DeferredStart, echo: Callable[[str], None]) -> None:
    """Open a run still waiting for its new store (training ended first), logging its events."""
    if not opener.opened and opener.warmup is not None and not opener.warmup.ready():
        echo("waiting for the new MLflow store to be ready (schema migrations) ...")
    opener.open()


def _finish(opener: DeferredStart, tracker, status: str, echo: Callable[[str], None]) -> bool:
    """Mark the run `status`, opening it first if it still waits for its new store; False when
    no run exists (opening it failed, or its store could not be made)."""
    if tracker.run_id is None:
        if opener.warmup is None:
            return False  # opening the run itself failed
        try:
            _open_late(opener, echo)
        except KeyboardInterrupt:
            return False
        except PapernotesError as exc:
            if opener.warmup.error is None:
                echo(f"warning: the run was not recorded: {exc}")
            return False
    tracker.finish(status)
    return True


def _close(progress) -> None:
    if progress is not None:
        progress.close()


def _interrupted(opts: ReproOptions, res: Resolved, run_id: str, folder: Path) -> Interrupted:
    launch_opts = [f"--{k.replace('_', '-')} {v}" for k, v in
                   (("device", opts.device), ("gpus", opts.gpus), ("nproc_per_node", opts.nproc_per_node))
                   if v is not None]
    again = " ".join(["papernotes repro", opts.name, "--profile", res.profile, *launch_opts,
                      *(f"--set {o}" for o in opts.overrides), "--resume", run_id])
    return Interrupted(f"interrupted; checkpoint in {layout.checkpoint_file(folder).parent}, "
                       f"MLflow run {run_id} marked KILLED", hint=f"continue with: {again}")


def _progress(terminal: bool):
    from papernotes.repro.run.progress import make_progress

    return make_progress(terminal)


def _fan_out(*sinks):
    from papernotes.ssl.events import fan_out

    return fan_out(*sinks)
