"""`papernotes repro`: resolve a spec profile, check, launch, track, write back.

    resolve (spec + --set) -> preflight -> [dry run: print commands] -> MLflow run
    -> its folder <out_dir>/<run id>/, locked -> launch config -> engine (in-process, or
    torchrun tailing rank 0's events) -> artifacts -> note -> board (notes/board.md)

This module resolves the launch (`prepare`, `Launch`) and takes the branches that track nothing
(a dry run, a node other than 0); the tracked run is tracked.py, the publishing publish.py.
Exactly one MLflow run per launch, opened and closed in this process (never in the ranks). Each
run trains in its own folder (launch/layout.py), so concurrent runs of one profile never share
files, and `--resume [RUN_ID]` continues a named run (the latest KILLED one by default:
resume.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable

from papernotes.core.atomic import atomic_write_text
from papernotes.core.workspace import Workspace, find_workspace
from papernotes.repro.launch import engine as launch
from papernotes.repro.launch import layout, preflight
from papernotes.repro.launch.checkpoints import periodic_checkpoints
from papernotes.repro.launch.cores import cpu_threads
from papernotes.repro.launch.launch_checks import check_batch, check_device_options
from papernotes.repro.run import resume
from papernotes.repro.run.options import Interrupted, Launch, ReproOptions, ReproResult
from papernotes.repro.run.recorded import continue_recorded
from papernotes.repro.run.tracked import tracked_run
from papernotes.repro.spec.find import spec_for
from papernotes.repro.spec.model import Resolved, load_spec, resolve
from papernotes.repro.spec.overrides import parse_overrides
from papernotes.repro.spec.user_methods import load_workspace_methods
from papernotes.repro.tracking.client import resolve_tracking_uri
from papernotes.ssl.config import config_to_dict

__all__ = ["Interrupted", "ReproOptions", "ReproResult", "prepare", "run_repro"]


def prepare(opts: ReproOptions, ws: Workspace) -> tuple[Resolved, launch.LaunchPlan, int]:
    """The resolved profile (device and absolute out_dir set), the launch plan and GPUs used."""
    check_device_options(opts.device, opts.gpus)
    load_workspace_methods(ws)  # the user's methods, before their names and options are read
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
                  train=replace(cfg.train, device=device, sync_bn=sync_bn, threads=threads,
                                checkpoint_every=periodic_checkpoints(cfg)))
    check_batch(cfg, plan.world_size)
    return replace(res, config=cfg), plan, gpus


def run_repro(opts: ReproOptions, echo: Callable[[str], None] = print) -> ReproResult:
    ws = find_workspace(opts.workspace)
    res, plan, gpus = prepare(opts, ws)
    cfg = res.config
    base = Path(cfg.out_dir)  # this profile's runs: <base>/<run id>/
    uri = resolve_tracking_uri(opts.tracking_uri, os.environ, ws.tracking_uri)
    preflight.check_launch(plan, gpus, uri, device=cfg.train.device, dry_run=opts.dry_run, echo=echo,
                           device_field="--device" if opts.device else "train.device",
                           gpus_asked="--gpus" if opts.gpus is not None else f"profile {res.profile}'s gpus:")
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
        kept = continue_recorded(cfg, target.path, opts.overrides, target.name,
                                 ("train.device",) if opts.device or opts.gpus is not None else ())
        if kept.ignored:
            echo(f"resuming run {target.name[:8]} with the config it ran; the spec now says "
                 f"otherwise ({', '.join(kept.ignored)}), which applies to new runs only")
        cfg = kept.config
        res = replace(res, config=cfg)
        echo(resume.from_step_line(target))
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}"
    if opts.dry_run:
        dry_run_lines(opts, res, plan, gpus, uri, target, stamp, echo)
        return ReproResult(status="dry-run", out_dir=target.path if target else base,
                           tracking_uri=uri)
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
    folder = resume.RunFolder(base, target)  # a resumed run's folder is locked at once
    try:
        return tracked_run(Launch(opts, ws, res, plan, uri, target, stamp, echo), folder)
    finally:  # the run's folder stays locked until its results are written
        folder.release()


def dry_run_lines(opts: ReproOptions, res: Resolved, plan: launch.LaunchPlan, gpus: int, uri: str,
                  target, stamp: str, echo: Callable[[str], None]) -> None:
    """What a dry run says: the launch, the command that runs it as shown, and an outline of
    the torchrun and srun lines it makes (their run folder and its launch_config.json only exist
    once it runs, so they are named as such, not given as commands to paste)."""
    cfg = res.config
    folder = target.path if target else Path(cfg.out_dir) / "RUN_ID"
    echo(f"dry run, nothing started or written: spec {res.spec.name} profile {res.profile}, "
         f"world_size {plan.world_size}, device {cfg.train.device}, tracking {uri}, "
         + (f"resuming {target.label} in {folder}" if target else
            f"a new run in {folder} (RUN_ID: its MLflow run's id, known once it opens)"))
    echo("to run it: " + repro_command(opts))
    echo(f"outline of what it launches (the launch writes {layout.LAUNCH_CONFIG} into the run's "
         f"folder first):")
    config_file, events_file = layout.launch_config(folder), layout.events_file(folder, stamp)
    resume = target is not None
    echo("  torchrun: " + " ".join(launch.torchrun_command(plan, config_file, events_file, resume)))
    echo("  srun: " + launch.srun_line(plan, config_file, events_file, resume, gpus))
    from papernotes.ssl.memory import estimate  # torch: only for the estimate

    for line in estimate(cfg, plan.world_size, cfg.train.device).lines(cfg.train.device):
        echo(line)


def repro_command(opts: ReproOptions) -> str:
    """The `papernotes repro` command of these options, without --dry-run: it runs as shown."""
    from papernotes.core.shell import command

    words: list[str] = [opts.name]
    for flag, value in (("--profile", opts.profile), ("--gpus", opts.gpus), ("--device", opts.device),
                        ("--nproc-per-node", opts.nproc_per_node),
                        ("--nnodes", opts.nnodes if opts.nnodes != 1 else None),
                        ("--node-rank", opts.node_rank or None),
                        ("--rdzv-endpoint", opts.rdzv_endpoint), ("--master-port", opts.master_port),
                        ("--tracking-uri", opts.tracking_uri)):
        if value is not None:
            words += [flag, str(value)]
    for item in opts.overrides:
        words += ["--set", item]
    if opts.save:
        words.append("--save")
    if opts.resume:
        words += ["--resume"] + ([str(opts.resume)] if isinstance(opts.resume, str)
                                 and opts.resume != resume.LATEST else [])
    return command("repro", *words)

