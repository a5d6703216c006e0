"""`papernotes repro`: resolve a spec profile, check, launch, track, write back.

    resolve (spec + --set) -> preflight -> [dry run: print commands] -> MLflow run
    -> engine (in-process, or torchrun tailing rank 0's events) -> artifacts -> note

Exactly one MLflow run per launch, opened and closed here (never in the ranks). A failed or
interrupted run is marked FAILED/KILLED and leaves the note byte-identical.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from papernotes.atomic import atomic_write_text
from papernotes.errors import PapernotesError
from papernotes.workspace import Workspace, find_workspace
from papernotes.repro import launch, plots, preflight, tracking, writeback
from papernotes.repro.config_hash import config_hash
from papernotes.repro.cores import cpu_threads
from papernotes.repro.overrides import parse_overrides
from papernotes.repro.store_warmup import DeferredStart, StoreWarmup, store_is_new
from papernotes.repro.spec import Resolved, load_spec, resolve, spec_path
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
    resume: bool = False
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
    path = spec_path(opts.name, ws.repro_dir)
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
    # CPU ranks split the cores: processes x threads never exceed them (repro/cores.py)
    threads = cpu_threads(cfg.train.threads, plan.nproc_per_node) if device == "cpu" else cfg.train.threads
    cfg = replace(cfg, out_dir=str(out_dir),
                  train=replace(cfg.train, device=device, sync_bn=sync_bn, threads=threads))
    return replace(res, config=cfg), plan, gpus


def run_preflight(plan: launch.LaunchPlan, gpus: int, uri: str, *, dry_run: bool = False,
                  echo: Callable[[str], None] = print) -> None:
    try:
        preflight.check_gpus(gpus)
    except PapernotesError as exc:
        if not dry_run:
            raise
        echo(f"note: {exc} (fine for a dry run on a login node)")
    if plan.nnodes == 1 and plan.master_port is not None:
        preflight.check_port_free("127.0.0.1", plan.master_port)
    if plan.nnodes > 1 and plan.node_rank == 0 and plan.rdzv_endpoint:
        port = plan.rdzv_endpoint.rsplit(":", 1)[-1]
        if not port.isdigit():
            raise PapernotesError("expected HOST:PORT", field="--rdzv-endpoint")
        preflight.check_port_free("0.0.0.0", int(port), field="--rdzv-endpoint")
    preflight.check_tracking(uri)


def run_repro(opts: ReproOptions, echo: Callable[[str], None] = print) -> ReproResult:
    ws = find_workspace(opts.workspace)
    res, plan, gpus = prepare(opts, ws)
    cfg = res.config
    out_dir = Path(cfg.out_dir)
    uri = tracking.resolve_tracking_uri(opts.tracking_uri, os.environ, ws.tracking_uri)
    run_preflight(plan, gpus, uri, dry_run=opts.dry_run, echo=echo)
    if opts.save:  # validated and checked: now the spec may change
        from papernotes.repro.spec_edit import save_overrides

        saved = save_overrides(res.path, res.profile, parse_overrides(opts.overrides), ws.repro_dir)
        echo(f"saved {len(opts.overrides)} override(s) into profile {res.profile} of {saved}")
    config_file = out_dir / "launch_config.json"
    events_file = out_dir / f"events-{dt.datetime.now():%Y%m%d-%H%M%S}.jsonl"
    if opts.dry_run:
        echo(f"spec {res.spec.name} profile {res.profile}: world_size {plan.world_size}, "
             f"device {cfg.train.device}, out_dir {out_dir}, tracking {uri}")
        echo("torchrun: " + " ".join(launch.torchrun_command(plan, config_file, events_file,
                                                             opts.resume)))
        echo("srun: " + launch.srun_line(plan, config_file, events_file, opts.resume, gpus))
        return ReproResult(status="dry-run", out_dir=out_dir, tracking_uri=uri)
    # a new store is made while training starts (store_warmup.py), not before it
    warmup = StoreWarmup(uri) if store_is_new(uri) and plan.node_rank == 0 and not opts.resume else None
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg_dict = config_to_dict(cfg)
    atomic_write_text(config_file, json.dumps(cfg_dict, indent=2) + "\n", overwrite=True)
    if plan.node_rank > 0:  # global rank 0 lives on node 0: its parent alone tracks and writes back
        _launch(plan, cfg, config_file, events_file, opts.resume, lambda event: None, ws.root)
        return ReproResult("FINISHED", out_dir=out_dir, tracking_uri=uri)
    if not plan.distributed:
        import papernotes.ssl.pretrain  # noqa: F401  (a broken engine fails before a run is opened)
    resume_id = tracking.read_run_file(out_dir) if opts.resume else None
    tracker = tracking.Tracker(uri, res.spec.paper, _artifact_location(uri, ws, res.spec.paper))
    params = {**tracking.flatten(cfg_dict), "world_size": plan.world_size,
              "spec": res.spec.name, "profile": res.profile}
    tags = {"papernotes.spec": res.spec.name, "papernotes.profile": res.profile,
            "papernotes.note": res.spec.paper, "papernotes.overrides": " ".join(res.overrides),
            # what `papernotes idea run` reuses a finished run by
            "papernotes.config_hash": config_hash(cfg, plan.world_size),
            "papernotes.seed": str(cfg.train.seed)}
    commit = tracking.git_commit(Path(__file__).resolve().parent)
    if commit:
        tags["mlflow.source.git.commit"] = commit
    run = DeferredStart(tracker, lambda: (tracker.start(params=params, tags=tags, resume_run_id=resume_id,
                                                          run_name=f"{res.spec.name}-{res.profile}"),
                                            tracker.save_run_file(out_dir)), warmup)
    if warmup is None:
        run.open()
    rec = plots.CurveRecorder()
    progress = _progress(opts.terminal)
    sink = _fan_out(progress, run, rec)
    try:
        _launch(plan, cfg, config_file, events_file, opts.resume, sink, ws.root)
    except KeyboardInterrupt:
        progress.close()
        run.open()
        tracker.finish("KILLED")
        raise _interrupted(opts, res, tracker.run_id) from None
    except BaseException:
        progress.close()
        run.open()
        tracker.finish("FAILED")
        raise
    progress.close()
    run.open()
    run_id = tracker.run_id
    link = tracking.ui_link(uri, tracker.experiment_id, run_id)
    if rec.end.get("status") == "interrupted":
        tracker.finish("KILLED")
        raise _interrupted(opts, res, run_id)
    metrics = {**(rec.eval.get("metrics") or {}), **(rec.end.get("metrics") or {})}
    curves = plots.draw(rec, out_dir / "curves.png", f"{res.spec.name} / {res.profile}")
    _log_artifacts(tracker, res, cfg_dict, out_dir, curves, rec)
    tracker.finish("FINISHED")
    note = ws.note_path(res.spec.paper)
    if note.is_file():
        row = _row(res, plan, rec, metrics, run_id, link)
        patched = writeback.write_back(note, ws.root, row, res.spec.expected, curves,
                                       spec=res.spec.name)
        for pid in patched:
            echo(f"idea patch {pid} in {note.name}: result of run {run_id[:8]} recorded "
                 f"(a verdict needs `papernotes idea run`)")
    else:
        echo(f"no note {note}; results not written back (make it with `papernotes new "
             f"{res.spec.paper}`)")
        note = None
    return ReproResult("FINISHED", run_id, link, metrics, note, out_dir, uri)


def _interrupted(opts: ReproOptions, res: Resolved, run_id: str) -> Interrupted:
    launch_opts = [f"--{k.replace('_', '-')} {v}" for k, v in
                   (("device", opts.device), ("gpus", opts.gpus), ("nproc_per_node", opts.nproc_per_node))
                   if v is not None]
    again = " ".join(["papernotes repro", opts.name, "--profile", res.profile, *launch_opts,
                      *(f"--set {o}" for o in opts.overrides), "--resume"])
    return Interrupted(f"interrupted; checkpoint in {Path(res.config.out_dir) / 'checkpoints'}, "
                       f"MLflow run {run_id} marked KILLED", hint=f"continue with: {again}")


def _launch(plan, cfg, config_file: Path, events_file: Path, resume: bool, sink, cwd) -> None:
    if not plan.distributed:
        from papernotes.ssl.pretrain import run

        try:
            run(cfg, sink=sink, resume=resume)
        except (ValueError, OSError, RuntimeError) as exc:
            raise PapernotesError(f"training failed: {str(exc).splitlines()[0] if str(exc) else exc!r}",
                                  field="engine") from None
        return
    cmd = launch.torchrun_command(plan, config_file, events_file, resume)
    proc = launch.start_torchrun(cmd, cwd)
    code = launch.tail_events(proc, events_file, sink)
    if code == 130:
        raise KeyboardInterrupt
    if code != 0:
        raise PapernotesError(f"torchrun exited with status {code}", field="engine",
                              hint="see the ranks' output above")


def _progress(terminal: bool):
    from papernotes.repro.progress import make_progress

    return make_progress(terminal)


def _fan_out(*sinks):
    from papernotes.ssl.events import fan_out

    return fan_out(*sinks)


def _artifact_location(uri: str, ws: Workspace, paper: str) -> str | None:
    if uri.startswith(("http://", "https://")):
        return None  # the server decides (--artifacts-destination / --serve-artifacts)
    return (ws.root / "mlartifacts" / paper).resolve().as_uri()


def _log_artifacts(tracker, res: Resolved, cfg_dict: dict, out_dir: Path, curves, rec) -> None:
    resolved = {"spec": res.spec.name, "profile": res.profile, "paper": res.spec.paper,
                "overrides": list(res.overrides), "config": cfg_dict}
    spec_file = out_dir / "resolved_spec.json"
    atomic_write_text(spec_file, json.dumps(resolved, indent=2) + "\n", overwrite=True)
    tracker.log_artifact(spec_file, "spec")
    if curves is not None:
        tracker.log_artifact(curves, "plots")
    report = rec.eval.get("report") or out_dir / "linear_eval.json"
    tracker.log_artifact(report, "eval")
    ckpt = rec.end.get("checkpoint") or out_dir / "checkpoints" / "last.pt"
    tracker.log_artifact(ckpt, "checkpoints")


def _row(res: Resolved, plan, rec, metrics: dict, run_id: str, link: str) -> writeback.RunRow:
    cfg = res.config
    start = rec.start or {}
    dataset = (start.get("dataset") or {}).get("name") or cfg.data.name
    hardware = str(start.get("hardware") or cfg.train.device)
    if plan.world_size > 1:
        hardware = f"{plan.world_size}x {hardware}"
    return writeback.RunRow(run_id=run_id, date=time.strftime("%Y-%m-%d"),
                            spec=f"{res.spec.name}/{res.profile}", backbone=cfg.model.arch,
                            dataset=dataset, epochs=cfg.train.epochs, batch=cfg.train.batch_size,
                            metrics=metrics, hardware=hardware,
                            wall_time_s=float(rec.end.get("wall_time_s") or 0.0), link=link)
