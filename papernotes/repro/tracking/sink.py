"""MLflow tracking, in the parent (`papernotes repro`) process only: one run per launch.

The tracker is an event sink: it turns the engine's events (docs/ARCHITECTURE.md) into MLflow
metrics and tags. Ranks other than 0, and the engine itself, never touch MLflow. mlflow is
imported inside methods so importing this module stays cheap.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from papernotes.repro.launch.layout import write_run_file
from papernotes.repro.tracking.tags import RUN_DIR, start_tags


def resolve_tracking_uri(cli_uri: str | None, env: dict, workspace_uri: str) -> str:
    """--tracking-uri, else MLFLOW_TRACKING_URI, else the workspace's (sqlite in the workspace)."""
    return cli_uri or env.get("MLFLOW_TRACKING_URI") or workspace_uri


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"train": {"epochs": 3}} -> {"train.epochs": 3}."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}{key}."))
    else:
        out[prefix.rstrip(".")] = data
    return out


def git_commit(cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def ui_link(uri: str, experiment_id: str, run_id: str, ui_base: str = "http://127.0.0.1:5000") -> str:
    base = uri.rstrip("/") if uri.startswith(("http://", "https://")) else ui_base
    return f"{base}/#/experiments/{experiment_id}/runs/{run_id}"


def event_metrics(event: dict) -> dict[str, float]:
    """An engine event's numeric metrics (booleans and anything else left out), as MLflow takes them."""
    return {k: float(v) for k, v in (event.get("metrics") or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


class Tracker:
    """Opens (or resumes) one MLflow run and logs every event passed to it."""

    def __init__(self, uri: str, experiment: str, artifact_location: str | None) -> None:
        self.uri = uri
        self.experiment = experiment
        self.artifact_location = artifact_location
        self.run_id: str | None = None
        self.experiment_id: str | None = None
        self.last_step = 0
        self._logged: dict[str, int] = {}  # metric -> the last step this process logged it at

    def _client(self):
        from mlflow.tracking import MlflowClient

        return MlflowClient(tracking_uri=self.uri)

    def start(self, *, params: dict[str, Any], tags: dict[str, str], run_name: str,
              resume_run_id: str | None = None) -> str:
        import logging

        import mlflow

        for name in ("mlflow.system_metrics", "mlflow.store", "alembic"):  # keep the console quiet
            logging.getLogger(name).setLevel(logging.WARNING)
        mlflow.set_tracking_uri(self.uri)
        client = self._client()
        try:
            exp = client.get_experiment_by_name(self.experiment)
            if exp is None:
                self.experiment_id = client.create_experiment(
                    self.experiment, artifact_location=self.artifact_location)
            else:
                self.experiment_id = exp.experiment_id
            if resume_run_id:
                run = mlflow.start_run(run_id=resume_run_id, log_system_metrics=True)
            else:
                run = mlflow.start_run(experiment_id=self.experiment_id, run_name=run_name,
                                       log_system_metrics=True)
        except Exception as exc:  # mlflow raises many types; the user needs one line
            from papernotes.repro.tracking.store_warmup import tracking_error

            raise tracking_error(exc, self.uri) from None
        self.run_id = run.info.run_id
        existing = client.get_run(self.run_id).data.params
        fresh = {k: _param(v) for k, v in params.items() if k not in existing}
        if fresh:
            mlflow.log_params(fresh)
        mlflow.set_tags(tags)
        return self.run_id

    def __call__(self, event: dict) -> None:
        import mlflow

        kind = event.get("event")
        metrics = event_metrics(event)
        if kind == "start":
            self.last_step = int(event.get("start_step") or 0)
            mlflow.set_tags(start_tags(event))
            if "world_size" in event:
                self.param_once("world_size", event["world_size"])
        elif kind in ("step", "epoch") and metrics:
            self.last_step = int(event.get("step", self.last_step))
            if kind == "epoch":
                metrics = {**metrics, "train/epoch": float(event.get("epoch", 0))}
            # asynchronous: the in-process engine calls this sink from its training loop
            self._log(metrics, synchronous=False)
        elif kind in ("eval", "end") and metrics:
            self.last_step = int(event.get("step", self.last_step))
            if kind == "end":  # it repeats the last epoch's metrics (epoch 20's monitor is no point at step 775)
                metrics = {k: v for k, v in metrics.items() if k not in self._logged}
            self._log(metrics, synchronous=True)

    def _log(self, metrics: dict[str, float], synchronous: bool) -> None:
        """One point per metric and step: the step, epoch and end events all carry `train/loss`
        when an epoch ends on a logging step (and the end event repeats the last epoch's
        metrics), so the first value at a step is kept and the repeats are dropped."""
        import mlflow

        fresh = {k: v for k, v in metrics.items() if self._logged.get(k) != self.last_step}
        if fresh:
            mlflow.log_metrics(fresh, step=self.last_step, synchronous=synchronous)
            self._logged.update(dict.fromkeys(fresh, self.last_step))

    def param_once(self, key: str, value: Any) -> None:
        """Log a parameter unless the run has it already (a resumed run keeps its own)."""
        import mlflow

        if key not in self._client().get_run(self.run_id).data.params:
            mlflow.log_param(key, _param(value))

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
        mlflow.set_tag(RUN_DIR, str(folder))
        self.param_once("out_dir", str(folder))

    def save_run_file(self, out_dir: Path) -> None:
        """The run file in the run's folder: which run the folder belongs to (for `--resume`)."""
        write_run_file(out_dir, self.run_id, self.experiment_id, self.uri)


def run_states(uri: str, run_ids: list[str], echo=None) -> dict[str, tuple[str, int]]:
    """{run id: (status, end time in ms, else start time)} for the runs the store has (once
    another process has finished making it: store_lock.py)."""
    if not run_ids:
        return {}
    from papernotes.repro.tracking.store_lock import reader
    from papernotes.repro.tracking.store_warmup import read_error

    client = reader(uri, echo)
    if client is None:
        return {}  # no store yet (and opening one would create it)
    from mlflow.exceptions import MlflowException

    out = {}
    for run_id in run_ids:
        try:
            info = client.get_run(run_id).info
        except MlflowException:  # deleted, or never in this store
            continue
        except Exception as exc:  # the store itself: one line for the user
            raise read_error(exc, uri) from None
        out[run_id] = (info.status, int(info.end_time or info.start_time or 0))
    return out


def _param(value: Any) -> str:
    text = "null" if value is None else str(value)
    return text[:500]
