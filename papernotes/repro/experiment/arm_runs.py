"""MLflow for `papernotes idea run`: one parent run, an arm run nested under it per trained arm.

Only the parent process talks to MLflow, through `MlflowClient` with explicit run ids (several
arm runs are open at once, so the fluent API's one active run does not fit); what each event
logs is tracking/events.py's, the tags tracking/tags.py's. A FINISHED run with an arm's config
hash (an arm of an earlier `idea run`, or a plain `papernotes repro` run, which carries the same
tag) is reused, not trained again.

A new SQLite store takes 20-40 s to create (schema migrations): `StoreWarmup` (store_warmup.py)
has it made by a child process while the arms start training; their events wait in the arm
loggers until it is ready.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

from papernotes.core.atomic import atomic_write_text
from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import Workspace
from papernotes.repro.experiment.arms import Job
from papernotes.repro.experiment.plan import Experiment
from papernotes.repro.launch.layout import (
    ENGINE_CONFIG,
    LINEAR_EVAL,
    TRACEBACK,
    checkpoint_file,
    read_run_file,
    write_run_file,
)
from papernotes.repro.spec.config_hash import code_files, code_pins, hashed_fields
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.client import artifact_location, experiment_id
from papernotes.repro.tracking.events import RunPoints, flatten, param_value
from papernotes.repro.tracking.liveness import reap
from papernotes.repro.tracking.sink import last_steps
from papernotes.repro.tracking.store_warmup import StoreWarmup
from papernotes.ssl.config import config_to_dict
from papernotes.ssl.user_code import read_error


def find_finished(client, exp_id: str, digest: str, metric: str, arm_params: dict[str, str] | None = None):
    """The newest FINISHED run with this config hash that carries `metric`, or None. With
    `arm_params` (`ran_params`), a run whose recorded parameters say it ran another config is
    never taken, whatever its tag says (a resume of an older papernotes rewrote the tag)."""
    runs = client.search_runs([exp_id], filter_string=tags.search_filter({tags.CONFIG_HASH: digest}, "FINISHED"),
                              order_by=["attributes.start_time DESC"], max_results=20)
    return next((r for r in runs if metric in r.data.metrics
                 and not (arm_params and params_differ(r.data.params, arm_params))), None)


def ran_params(config, world_size: int) -> dict[str, str]:
    """The parameters a run of this config logs, of the fields that name its result."""
    return {k: param_value(v) for k, v in flatten(hashed_fields(config, world_size)).items()}


def params_differ(logged: dict[str, str], wanted: dict[str, str]) -> list[str]:
    """The fields a run logged with another value than `wanted` (fields it did not log, from
    an older engine, are not held against it). Numbers compare as numbers (`8` == `8.0`)."""
    def same(a: str, b: str) -> bool:
        if a == b:
            return True
        try:
            return float(a) == float(b)
        except ValueError:
            return a.replace("(", "[").replace(")", "]") == b.replace("(", "[").replace(")", "]")
    return [k for k, v in wanted.items() if k in logged and not same(logged[k], v)]


def find_resumable(client, exp_id: str, digest: str, out_dir: Path,
                   arm_params: dict[str, str] | None = None) -> str | None:
    """A KILLED arm run of this hash whose checkpoint is still in the arm's folder (and whose
    parameters, with `arm_params`, are the arm's)."""
    saved = read_run_file(out_dir)
    if not checkpoint_file(out_dir).is_file() or saved is None:
        return None
    run_id = saved["run_id"]
    reap(client, client.search_runs([exp_id], filter_string=tags.search_filter(
        {tags.CONFIG_HASH: digest}, "RUNNING"), max_results=50))  # a dead arm's run: KILLED now
    runs = client.search_runs([exp_id], filter_string=tags.search_filter({tags.CONFIG_HASH: digest}, "KILLED"),
                              max_results=50)
    return run_id if any(r.info.run_id == run_id and not (
        arm_params and params_differ(r.data.params, arm_params)) for r in runs) else None


def start_parent(client, exp_id: str, name: str, tags: dict[str, str]) -> str:
    return client.create_run(exp_id, run_name=name, tags=tags).info.run_id


class ArmLogger:
    """An arm's events in MLflow (tracking/events.py, as a `repro` run's): buffered until its run
    exists, then sent in batches through the client (several arm runs are open at once)."""

    def __init__(self, run_name: str, params: dict[str, Any], tags: dict[str, str],
                 resume_run: str | None = None, code: list[Path] = (), folder: Path | None = None) -> None:
        self.run_name, self.params, self.tags, self.resume_run = run_name, params, tags, resume_run
        self.code, self.folder = list(code), folder
        self.run_id: str | None = None
        self.client = None
        self.events: list[dict] = []
        self.points = RunPoints()

    def __call__(self, event: dict) -> None:
        self.events.append(event)

    def attach(self, client, exp_id: str, parent: str) -> str:
        """Open the arm's run (or reopen the interrupted one it resumes) under `parent`."""
        from mlflow.entities import Param, RunTag

        self.client = client
        run_tags = {**self.tags, tags.PARENT_RUN: parent}
        if self.resume_run:
            self.run_id = self.resume_run
            client.update_run(self.run_id, status="RUNNING")
            client.log_batch(self.run_id, tags=[RunTag(k, v) for k, v in run_tags.items()])
            self.points.seen(last_steps(client, self.run_id, client.get_run(self.run_id).data.metrics))
            return self.run_id
        self.run_id = client.create_run(exp_id, run_name=self.run_name, tags=run_tags).info.run_id
        params = [Param(k, param_value(v)) for k, v in flatten(self.params).items()]
        for i in range(0, len(params), 100):
            client.log_batch(self.run_id, params=params[i:i + 100])
        return self.run_id

    def flush(self) -> None:
        """Send the buffered events (no-op until the run is attached)."""
        if self.run_id is None or not self.events:
            return
        from mlflow.entities import Metric, RunTag

        from papernotes.repro.tracking.dataset_input import log_dataset

        events, self.events = self.events, []
        now = int(time.time() * 1000)
        metrics, run_tags = [], []
        for event in events:
            if event.get("event") == "start" and not self.resume_run:
                log_dataset(self.client, self.run_id, event, (self.params.get("data") or {}).get("root"))
            points = self.points(event)
            run_tags += [RunTag(k, v) for k, v in points.tags.items()]
            metrics += [Metric(k, v, now, points.step) for k, v in points.metrics.items()]
        for i in range(0, max(len(metrics), 1), 1000):
            self.client.log_batch(self.run_id, metrics=metrics[i:i + 1000],
                                  tags=run_tags if i == 0 else [])

    def finish(self, status: str, out_dir: Path | None = None) -> None:
        if self.run_id is None:
            return
        self.flush()
        if out_dir is not None:
            for name, folder in ((ENGINE_CONFIG, "spec"), (LINEAR_EVAL, "eval")):
                if (out_dir / name).is_file():
                    self.client.log_artifact(self.run_id, str(out_dir / name), folder)
        for file in self.code:  # the user's code the arm executed
            if file.is_file():
                self.client.log_artifact(self.run_id, str(file), "code")
        err = read_error(self.folder) if status == "FAILED" and self.folder is not None else None
        if err is not None:  # a bug in the user's code: its traceback with the FAILED run
            trace = self.folder / TRACEBACK
            atomic_write_text(trace, err.traceback or str(err), overwrite=True)
            self.client.log_artifact(self.run_id, str(trace), "error")
        self.client.set_terminated(self.run_id, status=status)


class IdeaTracking:
    """The parent run and the arm loggers of one `idea run`, opened once the store is ready
    (at once on a store that exists; on a new one, when its warm-up is done)."""

    def __init__(self, exp: Experiment, uri: str, ws: Workspace, client, exp_id: str | None) -> None:
        self.exp, self.uri, self.ws = exp, uri, ws
        self.warmup = StoreWarmup(uri) if client is None else None
        self.client, self.exp_id, self.parent = client, exp_id, None
        self.loggers: dict[str, ArmLogger] = {}
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
                                        artifact_location(self.uri, self.ws, exp.spec.paper), self.uri)
        self.parent = start_parent(self.client, self.exp_id, *self.parent_name_and_tags())
        return True

    def parent_name_and_tags(self) -> tuple[str, dict[str, str]]:
        """The parent run's name and tags (seed_runs.SeedTracking gives its own)."""
        exp = self.exp
        return f"{exp.name} {exp.patch.text}"[:200], {
            tags.PATCH: exp.name, tags.NOTE: exp.key, tags.SPEC: exp.spec.name,
            tags.PROFILE: exp.profile, tags.EXPECT: str(exp.expect),
            tags.SEEDS: str(len(exp.pairs())), tags.OVERRIDES: " ".join(exp.overrides),
            tags.PATCH_SETS: " ".join(exp.patch.sets), tags.PID: str(os.getpid()),
            tags.HOST: socket.gethostname()}

    def logger(self, job: Job, resume_run: str | None) -> ArmLogger:
        arm, exp = job.arm, self.exp
        arm_tags = {tags.ARM: arm.arm, **tags.folder_tags(arm.out_dir), **tags.run_tags(
            spec=exp.spec.name, profile=exp.profile, note=exp.spec.paper,
            overrides=exp.overrides + (exp.patch.sets if arm.arm == "patch" else ()),
            config_hash=arm.hash, seed=arm.seed, code=code_pins(arm.config))}
        raw = config_to_dict(arm.config)
        raw.pop("code", None)  # the code: tags + artifacts
        params = {**raw, "world_size": arm.plan.world_size,
                  "spec": exp.spec.name, "profile": exp.profile}
        log = ArmLogger(f"{exp.name} {arm.arm} seed {arm.seed}", params, arm_tags, resume_run,
                        code=code_files(arm.config), folder=arm.out_dir)
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


def run_metric(client, run_id: str, metric: str) -> float:
    run = client.get_run(run_id)
    if metric not in run.data.metrics:
        known = ", ".join(sorted(run.data.metrics)) or "none"
        raise PapernotesError(f"run {run_id} has no metric {metric!r}", field="expect",
                              hint=f"it has: {known}")
    return float(run.data.metrics[metric])


def log_comparison(client, parent: str, numbers: dict[str, float], tags: dict[str, str],
                   report: Path) -> None:
    from mlflow.entities import Metric, RunTag

    now = int(time.time() * 1000)
    client.log_batch(parent, metrics=[Metric(k, float(v), now, 0) for k, v in numbers.items()],
                     tags=[RunTag(k, v) for k, v in tags.items()])
    client.log_artifact(parent, str(report))
