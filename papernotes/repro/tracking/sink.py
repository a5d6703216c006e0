"""The MLflow sink of a `papernotes repro` run, in the parent process only: one run per launch.

`Tracker` opens (or resumes) the run through MLflow's fluent API and logs the events passed to
it as tracking/events.py translates them (the same translation as `idea run`'s arms). Ranks
other than 0, and the engine itself, never touch MLflow. mlflow is imported inside methods so
importing this module stays cheap.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from papernotes.repro.launch.layout import write_run_file
from papernotes.repro.tracking.client import QUIET, experiment_id, new_client, tracking_error
from papernotes.repro.tracking.events import RunPoints, param_value
from papernotes.repro.tracking.tags import folder_tags


def git_commit(cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


class Tracker:
    """Opens (or resumes) one MLflow run and logs every event passed to it."""

    def __init__(self, uri: str, experiment: str, artifact_location: str | None) -> None:
        self.uri = uri
        self.experiment = experiment
        self.artifact_location = artifact_location
        self.run_id: str | None = None
        self.experiment_id: str | None = None
        self.points = RunPoints()
        self.data_root: str | None = None  # the config's data.root: the data set input's source

    @property
    def last_step(self) -> int:
        return self.points.step

    def start(self, *, params: dict[str, Any], tags: dict[str, str], run_name: str,
              resume_run_id: str | None = None) -> str:
        import logging

        import mlflow

        for name in ("mlflow.system_metrics", *QUIET):  # keep the console quiet
            logging.getLogger(name).setLevel(logging.WARNING)
        mlflow.set_tracking_uri(self.uri)
        client = new_client(self.uri)
        self.experiment_id = experiment_id(client, self.experiment, self.artifact_location, self.uri)
        try:
            if resume_run_id:
                run = mlflow.start_run(run_id=resume_run_id, log_system_metrics=True)
            else:
                run = mlflow.start_run(experiment_id=self.experiment_id, run_name=run_name,
                                       log_system_metrics=True)
        except Exception as exc:  # mlflow raises many types; the user needs one line
            raise tracking_error(exc, self.uri) from None
        self.run_id = run.info.run_id
        data = client.get_run(self.run_id).data
        fresh = {k: param_value(v) for k, v in params.items() if k not in data.params}
        if fresh:
            mlflow.log_params(fresh)
        # a resumed run keeps the tags it has (its config hash names what it ran), and logs no
        # point at a step it has one for already (one point per metric and step)
        mlflow.set_tags({k: v for k, v in tags.items() if k not in data.tags})
        if resume_run_id:
            self.points.seen(last_steps(client, self.run_id, data.metrics))
        return self.run_id

    def __call__(self, event: dict) -> None:
        import mlflow

        points = self.points(event)
        if points.tags:
            mlflow.set_tags(points.tags)
        if event.get("event") == "start" and "world_size" in event:
            self.param_once("world_size", event["world_size"])
        if event.get("event") == "start":
            from papernotes.repro.tracking.dataset_input import log_dataset

            log_dataset(new_client(self.uri), self.run_id, event, self.data_root)
        if points.metrics:  # asynchronous while training: the in-process engine calls this sink
            mlflow.log_metrics(points.metrics, step=points.step,  # from its training loop
                               synchronous=event.get("event") in ("eval", "end"))

    def param_once(self, key: str, value: Any) -> None:
        """Log a parameter unless the run has it already (a resumed run keeps its own)."""
        import mlflow

        if key not in new_client(self.uri).get_run(self.run_id).data.params:
            mlflow.log_param(key, param_value(value))

    def log_artifact(self, path: str | Path, folder: str | None = None) -> None:
        import mlflow

        if Path(path).is_file():
            mlflow.log_artifact(str(path), artifact_path=folder)

    def finish(self, status: str) -> None:
        """status: FINISHED, KILLED or FAILED."""
        import mlflow

        if mlflow.active_run() is not None:
            mlflow.flush_async_logging()
            mlflow.end_run(status=status)

    def bind_folder(self, folder: Path) -> None:
        """Record the run's folder on both sides: the run file in it (launch/layout.py), and on the run the
        `papernotes.run_dir` tag (tags.py) and the `out_dir` parameter (a resumed run keeps its own)."""
        import mlflow

        self.save_run_file(folder)
        mlflow.set_tags(folder_tags(folder))
        self.param_once("out_dir", str(folder))

    def save_run_file(self, out_dir: Path) -> None:
        """The run file in the run's folder: which run the folder belongs to (for `--resume`)."""
        write_run_file(out_dir, self.run_id, self.experiment_id, self.uri)


def last_steps(client, run_id: str, metrics: dict) -> dict[str, int]:
    """{metric: the last step the run has a point at}, for a resumed run."""
    return {key: max((m.step for m in client.get_metric_history(run_id, key)), default=0)
            for key in metrics}
