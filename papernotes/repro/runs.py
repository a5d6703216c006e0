"""Reading runs back from MLflow for `papernotes runs`."""

from __future__ import annotations

import datetime as dt

from papernotes.errors import PapernotesError


def list_runs(uri: str, spec: str | None = None, limit: int = 20) -> list[dict]:
    """Newest runs first, across the store's experiments; `spec` filters on the spec tag."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    try:
        experiments = [e.experiment_id for e in client.search_experiments()]
        flt = f"tags.`papernotes.spec` = '{spec}'" if spec else ""
        runs = client.search_runs(experiments, filter_string=flt, max_results=limit,
                                  order_by=["attributes.start_time DESC"]) if experiments else []
    except Exception as exc:  # one line for the user whatever mlflow raised
        raise PapernotesError(f"cannot read MLflow runs: {str(exc).splitlines()[0]}",
                              field="tracking_uri", hint=uri) from None
    out = []
    for run in runs:
        tags, params = run.data.tags, run.data.params
        start = dt.datetime.fromtimestamp(run.info.start_time / 1000).strftime("%Y-%m-%d %H:%M")
        out.append({"run_id": run.info.run_id, "status": run.info.status, "start": start,
                    "spec": f"{tags.get('papernotes.spec', '?')}/{tags.get('papernotes.profile', '?')}",
                    "metrics": dict(run.data.metrics), "world_size": params.get("world_size", "?")})
    return out
