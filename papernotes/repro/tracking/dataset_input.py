"""The data set a run trained on, as an MLflow input (the run page's "Datasets used"), not only as
tags: its name, its source and the engine's fingerprint of its tensors as the digest.

The engine's `start` event gives the name and the fingerprint (ssl/data/datasets.fingerprint:
sha256 over shapes, dtypes and a strided sample of the bytes, 16 hex digits); the config gives
where the files are (`data.root`: a `local` source, its file URI), else the set is made in code
(the synthetic one, or a torchvision download: a `code` source naming the generator).
Logged once per run through `MlflowClient.log_inputs`, by both sinks (sink.Tracker for `repro`,
experiment/arm_runs.ArmLogger for arms and seeds), with the context tag `train`.

Reference: mlflow.data.meta_dataset.MetaDataset, whose entity this builds without its loaders.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

CONTEXT = "mlflow.data.context"


def dataset_input(event: dict, data_root: str | None):
    """The `DatasetInput` of a `start` event (None when it names no data set)."""
    from mlflow.entities import Dataset, DatasetInput, InputTag

    ds = event.get("dataset") or {}
    if event.get("event") != "start" or not ds.get("name") or not ds.get("fingerprint"):
        return None
    if data_root:
        source_type, source = "local", {"uri": Path(data_root).expanduser().resolve().as_uri()}
    else:
        source_type, source = "code", {"tags": {"generator": f"papernotes.ssl.data ({ds['name']})"}}
    profile = {k: ds[k] for k in ("num_train", "num_test", "num_classes") if k in ds}
    dataset = Dataset(name=str(ds["name"]), digest=str(ds["fingerprint"])[:36],
                      source_type=source_type, source=json.dumps(source),
                      profile=json.dumps(profile) if profile else None)
    return DatasetInput(dataset=dataset, tags=[InputTag(key=CONTEXT, value="train")])


def log_dataset(client, run_id: str, event: dict, data_root: str | None) -> bool:
    """Log the event's data set on the run; False when there is none."""
    found = dataset_input(event, data_root)
    if found is None:
        return False
    for attempt in range(3):
        try:
            client.log_inputs(run_id, datasets=[found])
            return True
        except Exception as exc:  # noqa: BLE001 (MLflow wraps the store's error in its own type)
            # two runs logging the same data set at once: the store's check-then-insert races, the
            # loser's insert breaks the UNIQUE key; the row exists now, so asking again links it
            if "UNIQUE constraint" not in str(exc) or attempt == 2:
                raise
            time.sleep(0.2 * (attempt + 1))
    return True
