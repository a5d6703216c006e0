"""`papernotes repro SPEC --slurm`: submit the launch to SLURM through submitit and return.

    resolve (as run_repro: spec + --set, device, processes) -> SLURM request (command line over
    papernotes.yaml's `slurm:`) -> checks (partition, time form, a tracking server for several
    nodes, the server's /health) -> [dry run: the sbatch script submitit writes, and what each
    node runs] -> the MLflow run opened and set SCHEDULED, its folder <out_dir>/<run id>/ with
    its launch config and run file -> submitit submits `requeue.ReproJob` -> the job id, the
    logs and the run printed

The submission opens the run, so the id is known at once and every start of the job (requeues
included) continues that one run (`--resume RUN_ID`, requeue.py). The job's node 0 writes the
note's row when it finishes (publish.py, under the note's lock), or `papernotes runs --collect`
does for a job whose nodes could not reach the vault.

Periodic checkpoints: a job checkpoints as every launch does (launch/checkpoints.py: a profile
that leaves `train.checkpoint_every` at 0 gets about ten checkpoints a run, at least every ten
epochs, every 1000 steps where an epoch's size is unknown, as on an image folder);
papernotes.yaml `slurm: {checkpoint_every: N}` sets it for SLURM jobs, and `--set` wins over
both. A node failure then loses minutes at the speeds SLURM jobs run, while a checkpoint
(ResNet-50 + LARS state, ~0.3 GB) every few minutes costs well under 1% of the time. The
interval is outside the config hash (spec/config_hash.py): the result is the same run's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable

from papernotes.core.atomic import atomic_write_text
from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.core.workspace import find_workspace
from papernotes.repro.launch import engine as launch_engine
from papernotes.repro.launch import layout, preflight
from papernotes.repro.launch import slurm as slurm_launch
from papernotes.repro.run import resume
from papernotes.repro.run.options import Launch, ReproOptions, ReproResult
from papernotes.repro.run.runner import prepare
from papernotes.repro.tracking.client import resolve_tracking_uri, ui_link
from papernotes.ssl.config import config_to_dict


def job_options(opts: ReproOptions, request: slurm_launch.SlurmRequest, uri: str,
                root: Path) -> ReproOptions:
    """What every start of the job runs: the GPUs per node (CPU ranks without), the store, the
    workspace, and the `slurm:` section's checkpoint interval unless `--set` chose one."""
    overrides = tuple(opts.overrides)
    if request.checkpoint_every and not any(o.split("=", 1)[0].strip() == "train.checkpoint_every"
                                            for o in overrides):
        overrides += (f"train.checkpoint_every={request.checkpoint_every}",)
    gpus = request.gpus_per_node
    return replace(opts, gpus=gpus, device="cpu" if gpus == 0 else "cuda",
                   nproc_per_node=opts.nproc_per_node or max(gpus, 1), nnodes=request.nodes,
                   node_rank=0, rdzv_endpoint=None, resume=None, dry_run=False, save=False,
                   tracking_uri=uri, workspace=root, overrides=overrides, terminal=False)


def submit_repro(opts: ReproOptions, request_of: Callable, echo: Callable[[str], None] = print) -> ReproResult:
    """Submit one run; `request_of(defaults, spec_gpus)` builds the SlurmRequest from the
    workspace's `slurm:` defaults and the spec's GPU count."""
    if opts.resume:
        raise PapernotesError("--slurm submits a new run", field="--resume",
                              hint="a SLURM run resumes itself after a requeue; follow it with --attach RUN_ID")
    ws = find_workspace(opts.workspace)
    res, _, _ = prepare(replace(opts, nnodes=1, node_rank=0), ws)
    request = request_of(ws.config.slurm, res.gpus)
    uri = resolve_tracking_uri(opts.tracking_uri, os.environ, ws.tracking_uri)
    slurm_launch.check_store(request, uri)
    jopts = job_options(opts, request, uri, ws.root)
    endpoint = f"<first node of $SLURM_JOB_NODELIST>:{slurm_launch.RDZV_PORT}" if request.nodes > 1 else None
    res, plan, _ = prepare(replace(jopts, rdzv_endpoint=endpoint), ws)
    name = f"{res.spec.name}-{res.profile}"
    if opts.dry_run:
        show_submission(request, res, plan, jopts, uri, name, echo)
        return ReproResult(status="dry-run", out_dir=Path(res.config.out_dir) / "<new run id>", tracking_uri=uri)
    preflight.check_tracking(uri)
    slurm_launch.check_executor(request)
    return _submit(Launch(jopts, ws, res, plan, uri, None, f"{dt.datetime.now():%Y%m%d-%H%M%S}", echo),
                   request, name)


def _submit(launch: Launch, request: slurm_launch.SlurmRequest, name: str) -> ReproResult:
    from papernotes.repro.run.requeue import ReproJob
    from papernotes.repro.run.tracked import new_tracker
    from papernotes.repro.tracking.tags import SLURM_JOB

    echo = launch.echo
    tracker, params, tags = new_tracker(launch)
    tracker.start(params=params, tags=tags, run_name=name)
    folder = resume.RunFolder(launch.base)
    try:
        path = folder.made(tracker.run_id)
        tracker.bind_folder(path)
        cfg = replace(launch.cfg, out_dir=str(path))
        atomic_write_text(layout.launch_config(path), json.dumps(config_to_dict(cfg), indent=2) + "\n",
                          overwrite=True)
        executor = slurm_launch.make_executor(request, path / layout.SUBMITIT_DIR, name)
        folder.release()  # the job locks it
        job = executor.submit(ReproJob(launch.opts, tracker.run_id))
    except BaseException as exc:
        folder.release()
        tracker.finish("FAILED")
        if isinstance(exc, (PapernotesError, KeyboardInterrupt)):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise PapernotesError(f"submission failed: {first}", field="--slurm",
                              hint=f"MLflow run {tracker.run_id} marked FAILED") from None
    import mlflow

    mlflow.set_tag(SLURM_JOB, str(job.job_id))
    tracker.finish("SCHEDULED")  # RUNNING once the job starts (requeue.ReproJob)
    write_job_file(path, str(job.job_id), slurm_launch.cluster(), path / layout.SUBMITIT_DIR)
    link = ui_link(launch.uri, tracker.experiment_id, tracker.run_id)
    echo(f"submitted SLURM job {job.job_id}: {request.describe()}")
    echo(f"logs: {job.paths.stdout} and {job.paths.stderr}")
    echo(f"MLflow run {tracker.run_id} SCHEDULED: {link}")
    echo(f"follow it: {command('repro', launch.opts.name, '--attach', tracker.run_id)}; "
         f"`papernotes runs` shows the job's state")
    return ReproResult("SUBMITTED", tracker.run_id, link, {}, None, path, launch.uri)


def write_job_file(folder: Path, job_id: str, cluster: str, submitit_folder: Path) -> None:
    data = {"job_id": job_id, "cluster": cluster, "folder": str(submitit_folder),
            "submitted": dt.datetime.now().isoformat(timespec="seconds")}
    atomic_write_text(folder / layout.JOB_FILE, json.dumps(data, indent=2) + "\n", overwrite=True)


def show_submission(request, res, plan, jopts: ReproOptions, uri: str, name: str,
                    echo: Callable[[str], None]) -> None:
    """A dry run: the resources, the sbatch script submitit would write, what each node runs."""
    folder = Path(res.config.out_dir) / "<new run id>"
    echo(f"spec {res.spec.name} profile {res.profile}: SLURM {request.describe()}, world_size "
         f"{plan.world_size}, tracking {uri}, out_dir {folder}")
    echo(f"checkpoints every {res.config.train.checkpoint_every} steps; overrides: "
         f"{' '.join(jopts.overrides) or '(none)'}")
    echo("--- sbatch script (submitit) ---")
    for line in slurm_launch.sbatch_script(request, folder / layout.SUBMITIT_DIR, name, python="python").splitlines():
        echo(line)
    echo("--- each node's task runs ---")
    if plan.distributed:
        cmd = launch_engine.torchrun_command(plan, layout.launch_config(folder),
                                             layout.events_file(folder, "<stamp>"), True, python="python")
        cmd = [c.replace("--node-rank=0", "--node-rank=$SLURM_NODEID") for c in cmd]
        echo(" ".join(cmd))
    else:
        echo(f"python -m papernotes.ssl.pretrain --config {layout.launch_config(folder)} --resume (in the task)")
    echo("(the rendezvous host is the first node of $SLURM_JOB_NODELIST; on the warning signal the "
         "job checkpoints and requeues itself into the same MLflow run)")
