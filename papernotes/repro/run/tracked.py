"""The tracked part of `papernotes repro`: open (or continue) the MLflow run, train in its
folder, log the engine's events, then publish (publish.py).

On a store that exists the run opens first and names its folder, `<out_dir>/<run id>/`; then
the launch config is written there and the engine starts. On a new SQLite store (schema
migrations: tens of seconds) the order turns round: training starts at once in a folder named
by a fresh id while a child process makes the store (tracking/store_warmup.py); the engine's
events wait (`DeferredStart`) and are logged in order once the run opens. Either way the run
records its folder (`Tracker.bind_folder`), and the folder its run (its run file, for
`--resume`). A failed or interrupted run is marked FAILED/KILLED.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Callable

from papernotes.core.atomic import atomic_write_text
from papernotes.core.errors import PapernotesError
from papernotes.core.shell import command
from papernotes.repro.launch import engine, layout
from papernotes.repro.run import plots, publish
from papernotes.repro.run.options import Interrupted, Launch, ReproResult
from papernotes.repro.run.resume import RunFolder
from papernotes.repro.spec.config_hash import code_files, code_pins, config_hash
from papernotes.repro.tracking.client import artifact_location, ui_link
from papernotes.repro.tracking.events import flatten
from papernotes.repro.tracking.sink import Tracker, git_commit
from papernotes.repro.tracking.store_warmup import DeferredStart, StoreWarmup, store_is_new
from papernotes.repro.tracking.tags import GIT_COMMIT, run_tags
from papernotes.ssl.config import config_to_dict
from papernotes.ssl.user_code import UserCodeError


def new_tracker(launch: Launch) -> tuple[Tracker, dict, dict]:
    """The run's tracker (its experiment: the spec's paper), and the params and tags it opens with."""
    res, cfg, plan = launch.res, launch.cfg, launch.plan
    tracker = Tracker(launch.uri, res.spec.paper,
                      artifact_location(launch.uri, launch.ws, res.spec.paper))
    tracker.data_root = cfg.data.root
    params = {**flatten(config_to_dict(cfg)), "world_size": plan.world_size,
              "spec": res.spec.name, "profile": res.profile}
    params.pop("out_dir", None)  # logged by bind_folder, once the run's folder is known
    params = {k: v for k, v in params.items() if not k.startswith("code")}  # the code: tags + artifacts
    tags = run_tags(spec=res.spec.name, profile=res.profile, note=res.spec.paper,
                    overrides=res.overrides, config_hash=config_hash(cfg, plan.world_size),
                    seed=cfg.train.seed, code=code_pins(cfg))
    commit = git_commit(Path(__file__).resolve().parent)
    if commit:
        tags[GIT_COMMIT] = commit
    return tracker, params, tags


def tracked_run(launch: Launch, folder: RunFolder) -> ReproResult:
    """Open (or continue) the MLflow run, train in `folder` (locked), log, write back."""
    res, target, echo = launch.res, launch.target, launch.echo
    tracker, params, tags = new_tracker(launch)
    # a new run (a target without one too: its process died before the run opened) on a store
    # that is not ready trains at once
    warmup = (StoreWarmup(launch.uri) if not (target and target.run_id) and store_is_new(launch.uri)
              else None)
    if warmup is not None:
        folder.fresh()

    def open_run() -> None:
        tracker.start(params=params, tags=tags, resume_run_id=target.run_id if target else None,
                      run_name=f"{res.spec.name}-{res.profile}")
        tracker.bind_folder(folder.made(tracker.run_id))
        for file in code_files(launch.cfg):  # the user's code the run executes, as it was
            tracker.log_artifact(file, "code")

    rec = plots.CurveRecorder()
    progress = None
    opener = DeferredStart(tracker, open_run, warmup)
    try:
        if warmup is None:
            opener.open()  # the run first: it names the folder
        else:
            echo(f"{warmup.waiting}; training starts meanwhile" if warmup.waiting
                 else f"creating the MLflow store {launch.uri} while training starts")
        path = folder.made()
        _warn_neighbours(launch, path)
        cfg = replace(launch.cfg, out_dir=str(path))
        cfg_dict = config_to_dict(cfg)
        config_file = layout.launch_config(path)
        atomic_write_text(config_file, json.dumps(cfg_dict, indent=2) + "\n", overwrite=True)
        progress = _progress(launch.opts.terminal)
        sink = _fan_out(progress, opener, rec)
        engine.run_engine(launch.plan, cfg, config_file, layout.events_file(path, launch.stamp),
                          target is not None, sink, launch.ws.root)
        _open_late(opener, echo)
    except KeyboardInterrupt:
        _close(progress)
        if not _finish(opener, tracker, "KILLED", echo):
            raise
        raise _interrupted(launch, tracker.run_id, folder.path) from None
    except BaseException as exc:
        _close(progress)
        if isinstance(exc, UserCodeError):
            _log_user_error(opener, tracker, folder.path, exc, echo)
        _finish(opener, tracker, "FAILED", echo)
        raise
    progress.close()
    run_id = tracker.run_id
    if rec.end.get("status") == "interrupted":
        tracker.finish("KILLED")
        raise _interrupted(launch, run_id, path)
    link = ui_link(launch.uri, tracker.experiment_id, run_id, launch.ws.ui_base)
    metrics = {**(rec.eval.get("metrics") or {}), **(rec.end.get("metrics") or {})}
    curves = plots.draw(rec, path / layout.CURVES, f"{res.spec.name} / {res.profile}")
    publish.log_artifacts(tracker, res, cfg_dict, path, curves, rec)
    tracker.finish("FINISHED")
    finished = publish.Finished(run_id, link, metrics, curves, rec)
    note = publish.write_results(launch, finished)
    return ReproResult("FINISHED", run_id, link, metrics, note, path, launch.uri)


def _warn_neighbours(launch: Launch, path: Path) -> None:
    """A line when other runs in this workspace train on the same cores (launch/neighbours.py)."""
    if launch.cfg.train.device != "cpu":
        return
    from papernotes.repro.launch.cores import available_cores
    from papernotes.repro.launch.neighbours import busy_runs, cores_warning

    mine = (launch.cfg.train.threads or 1) * launch.plan.nproc_per_node
    line = cores_warning(busy_runs(launch.base.parent, path, depth=3), mine, len(available_cores()))
    if line:
        launch.echo(f"warning: {line}")


def _open_late(opener: DeferredStart, echo: Callable[[str], None]) -> None:
    """Open a run still waiting for its new store (training ended first), logging its events."""
    if not opener.opened and opener.warmup is not None and not opener.warmup.ready():
        echo("waiting for the new MLflow store to be ready (schema migrations) ...")
    opener.open()


def _log_user_error(opener: DeferredStart, tracker: Tracker, path: Path | None, exc: UserCodeError,
                    echo: Callable[[str], None]) -> None:
    """A bug in the user's code: its whole traceback beside the run and as its artifact (the run
    opened first if it still waits for its new store)."""
    if tracker.run_id is None and opener.warmup is not None:
        try:
            _open_late(opener, echo)
        except (PapernotesError, KeyboardInterrupt):
            return
    if tracker.run_id is None or path is None:
        return
    trace = path / layout.TRACEBACK
    atomic_write_text(trace, exc.traceback or str(exc), overwrite=True)
    tracker.log_artifact(trace, "error")


def _finish(opener: DeferredStart, tracker: Tracker, status: str, echo: Callable[[str], None]) -> bool:
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


def _interrupted(launch: Launch, run_id: str, folder: Path | None) -> Interrupted:
    opts = launch.opts
    launch_opts = [w for k, v in (("device", opts.device), ("gpus", opts.gpus),
                                  ("nproc_per_node", opts.nproc_per_node))
                   if v is not None for w in (f"--{k.replace('_', '-')}", v)]
    # no --set: a resume continues the config the run recorded (run/recorded.py)
    again = command("repro", opts.name, "--profile", launch.res.profile, *launch_opts, "--resume", run_id)
    return Interrupted(f"interrupted; checkpoint in {layout.checkpoint_file(folder).parent}, "
                       f"MLflow run {run_id} marked KILLED", hint=f"continue with: {again}")


def _progress(terminal: bool):
    from papernotes.repro.run.progress import make_progress

    return make_progress(terminal)


def _fan_out(*sinks):
    from papernotes.ssl.events import fan_out

    return fan_out(*sinks)
