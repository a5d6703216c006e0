"""The MLflow client papernotes talks through, which store it names, and its errors in one line.

mlflow is imported inside functions so importing this module stays cheap (`papernotes --help`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from papernotes.core.errors import PapernotesError

if TYPE_CHECKING:
    from papernotes.core.workspace import Workspace

QUIET = ("mlflow.store", "alembic")  # loggers that would fill the console while a store is made


def resolve_tracking_uri(cli_uri: str | None, env: dict, workspace_uri: str) -> str:
    """--tracking-uri, else MLFLOW_TRACKING_URI, else the workspace's (sqlite in the workspace)."""
    return cli_uri or env.get("MLFLOW_TRACKING_URI") or workspace_uri


def new_client(uri: str):
    from mlflow.tracking import MlflowClient

    for name in QUIET:  # keep the console quiet
        logging.getLogger(name).setLevel(logging.WARNING)
    return MlflowClient(tracking_uri=uri)


# MLflow 3's UI opens an experiment without a kind in its GenAI view ("Send your first trace");
# this kind opens it on its runs (the value the UI's enum and MLflow's onboarding skill name).
EXPERIMENT_KIND = {"mlflow.experimentKind": "custom_model_development"}


def experiment_id(client, name: str, artifact_location: str | None, uri: str) -> str:
    """The id of the experiment `name` (a note's key), made (artifacts in `artifact_location`)
    when the store has none; either way it carries EXPERIMENT_KIND (an older experiment without
    a kind gets it; one the user gave another kind keeps theirs)."""
    try:
        exp = client.get_experiment_by_name(name)
        if exp is not None:
            for key, value in EXPERIMENT_KIND.items():
                if key not in (exp.tags or {}):
                    client.set_experiment_tag(exp.experiment_id, key, value)
            return exp.experiment_id
        return client.create_experiment(name, artifact_location=artifact_location,
                                        tags=EXPERIMENT_KIND)
    except Exception as exc:  # mlflow raises many types; the user needs one line
        raise tracking_error(exc, uri) from None


def artifact_location(uri: str, ws: "Workspace", paper: str) -> str | None:
    """Where a new experiment keeps its artifacts: mlartifacts/<note key>/ in the workspace."""
    if uri.startswith(("http://", "https://")):
        return None  # the server decides (--artifacts-destination / --serve-artifacts)
    return (ws.root / "mlartifacts" / paper).resolve().as_uri()


def ui_link(uri: str, experiment_id: str, run_id: str, ui_base: str = "http://127.0.0.1:5000") -> str:
    """Where the MLflow UI shows a run: the tracking server's own address, else `papernotes ui`'s."""
    base = uri.rstrip("/") if uri.startswith(("http://", "https://")) else ui_base
    return f"{base}/#/experiments/{experiment_id}/runs/{run_id}"


def _first_line(exc: Exception) -> str:
    """What MLflow (or SQLAlchemy below it) raised, in one line."""
    return str(exc).splitlines()[0] if str(exc) else repr(exc)


def tracking_error(exc: Exception, uri: str) -> PapernotesError:
    if isinstance(exc, PapernotesError):
        return exc
    return PapernotesError(f"MLflow tracking failed: {_first_line(exc)}", field="tracking_uri",
                           hint=uri)


def read_error(exc: Exception, uri: str) -> PapernotesError:
    """One line for the user whatever MLflow raised while reading the store."""
    return PapernotesError(f"cannot read MLflow runs: {_first_line(exc)}", field="tracking_uri",
                           hint=uri)
