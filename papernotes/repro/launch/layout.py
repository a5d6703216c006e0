"""What a run folder holds: the one place outside the engine that names its files.

A `papernotes repro` launch trains in `<out_dir>/<run id>/` (out_dir from the spec profile,
`runs/simclr-demo/` say); an `idea run` arm in `<out_dir>/arms/<config hash[:16]>/`. In either:

    launch_config.json       the config papernotes launched the engine with (written before it starts)
    launch_config-node<N>.json   the same, on node N > 0 of a multi-node launch
    events-<stamp>.jsonl     the engine's events, one JSON object a line (rank 0 writes, the parent tails)
    mlflow_run.json          which MLflow run the folder belongs to: run_id, experiment_id, tracking_uri
    .lock                    held while a `papernotes repro` process trains in the folder (core/locks.py)
    .arm.lock, arm.log       an arm's lock while an `idea run` trains it, and the arm's output
    curves.png, resolved_spec.json   what a finished run logs beside the engine's files
    slurm_job.json, slurm/   a `--slurm` run: its job (id, executor, submitit folder) and submitit's
                             folder (the pickled job, each task's log `<job id>_<task>_log.out/.err`)
    user_error.json, traceback.txt   a run that failed in the user's code (repro/methods/): the
                             engine's record of it (its one line, the rank) and the traceback logged
    config.json, linear_eval.json, checkpoints/last.pt (+ last.json: its step)   the engine's own (papernotes/ssl/pretrain.py
                             `ckpt_path`, its `config.json`; ssl/evaluation/suite.py the report)

The engine writes its three files itself (it may not import `repro/`); tests/ssl/test_train.py
reads them from a real run where this module says they are.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from papernotes.core.atomic import atomic_write_text

RUN_FILE = "mlflow_run.json"
LAUNCH_CONFIG = "launch_config.json"
LOCK_FILE = ".lock"
JOB_FILE = "slurm_job.json"
SUBMITIT_DIR = "slurm"
ARM_LOCK = ".arm.lock"
ARM_LOG = "arm.log"
ARMS = "arms"  # <profile out_dir>/arms/<hash16>/: idea run's arm folders
CURVES = "curves.png"
RESOLVED_SPEC = "resolved_spec.json"
ENGINE_CONFIG = "config.json"  # the engine's resolved config
LINEAR_EVAL = "linear_eval.json"  # the engine's evaluation report
CHECKPOINT = "checkpoints/last.pt"  # the engine's checkpoint, relative to its out_dir
EVENTS_GLOB = "events-*.jsonl"
USER_ERROR = "user_error.json"  # the engine's (ssl/user_code.ERROR_FILE): a bug in the user's code
TRACEBACK = "traceback.txt"  # that bug's whole traceback, logged with the FAILED run under error/


def run_folder(base: Path, run_id: str) -> Path:
    """A `papernotes repro` run's folder under the profile's out_dir."""
    return base / run_id


def new_folder_id() -> str:
    """The name of a folder made before its MLflow run exists: 32 hex digits, like a run id."""
    return uuid.uuid4().hex


def checkpoint_file(folder: Path) -> Path:
    """Where the engine keeps a run folder's checkpoint."""
    return folder / CHECKPOINT


def checkpoint_step(folder: Path) -> int | None:
    """The step of the folder's checkpoint, from the engine's `last.json` beside it (no torch
    needed): 0 without a checkpoint. A `last.json` that is not the checkpoint's (a kill between
    the two writes; an older engine's without size and time) sends the question to the checkpoint
    itself (torch); None when even that cannot say."""
    ckpt = checkpoint_file(folder)
    if not ckpt.is_file():
        return 0
    try:
        said = json.loads(ckpt.with_suffix(".json").read_text(encoding="utf-8"))
        made = ckpt.stat()
        if (said["size"], said["mtime_ns"]) == (made.st_size, made.st_mtime_ns) and isinstance(said["step"], int):
            return said["step"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        import torch  # the rare case: read the step from the checkpoint

        step = torch.load(ckpt, map_location="cpu", weights_only=True)["step"]
    except Exception:  # noqa: BLE001 (a file torch cannot read: the engine will say so)
        return None
    return step if isinstance(step, int) else None


def launch_config(folder: Path, node_rank: int = 0) -> Path:
    """The config a launch wrote into `folder` (node 0), or node `node_rank`'s own."""
    return folder / (LAUNCH_CONFIG if node_rank == 0 else f"launch_config-node{node_rank}.json")


def events_file(folder: Path, stamp: str) -> Path:
    """A launch's events file; `stamp` (its start time) keeps each launch's events apart."""
    return folder / f"events-{stamp}.jsonl"


def arm_folder(base: Path, digest: str) -> Path:
    """An `idea run` arm's folder under the profile's out_dir, named by its config hash."""
    return base / ARMS / digest[:16]


def write_run_file(folder: Path, run_id: str, experiment_id: str | None, uri: str) -> None:
    """`<folder>/mlflow_run.json`: which run the folder belongs to (for `--resume`, and an arm's
    resumable run)."""
    data = {"run_id": run_id, "experiment_id": experiment_id, "tracking_uri": uri}
    atomic_write_text(folder / RUN_FILE, json.dumps(data, indent=2) + "\n", overwrite=True)


def read_run_file(folder: Path) -> dict | None:
    """What `mlflow_run.json` in `folder` says (a dict with a str `run_id`), or None."""
    try:
        data = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("run_id"), str) else None
