"""A submitted job's state and log, read from its run folder's job file (`slurm_job.json`,
launch/layout.py) for `papernotes runs` and `repro --attach`.

SLURM's own word comes from `sacct -X` (PENDING, RUNNING, REQUEUED, COMPLETED, FAILED,
CANCELLED, TIMEOUT, PREEMPTED, NODE_FAIL ...); once the job has ended, submitit's result pickle
in the job's folder says COMPLETED or FAILED without asking SLURM. A job of submitit's local
executor is RUNNING while its controller process lives.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from papernotes.repro.launch.layout import JOB_FILE

FINAL = ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE")


@dataclass(frozen=True)
class SubmittedJob:
    job_id: str
    cluster: str  # "slurm" or "local"
    folder: Path  # submitit's folder: pickles and logs

    @property
    def log(self) -> Path:
        return self.folder / f"{self.job_id}_0_log.out"

    @property
    def errors(self) -> Path:
        return self.folder / f"{self.job_id}_0_log.err"

    @property
    def result(self) -> Path:
        return self.folder / f"{self.job_id}_0_result.pkl"


def read_job(run_dir: str | Path | None) -> SubmittedJob | None:
    """The job a run folder was submitted as (None: not a `--slurm` run, or no folder)."""
    if not run_dir:
        return None
    try:
        data = json.loads((Path(run_dir) / JOB_FILE).read_text(encoding="utf-8"))
        return SubmittedJob(str(data["job_id"]), str(data.get("cluster", "slurm")), Path(data["folder"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def job_state(job: SubmittedJob) -> str:
    """SLURM's state of the job, in its words; UNKNOWN when nothing can say."""
    if job.result.is_file():
        return _result_state(job.result)
    if job.cluster == "local":
        return "RUNNING" if _alive(job.job_id) else "UNKNOWN"
    return sacct_state(job.job_id)


def sacct_state(job_id: str) -> str:
    try:
        out = subprocess.run(["sacct", "-j", job_id, "-X", "-n", "-o", "State", "--parsable2"],
                             capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "UNKNOWN"
    words = out.split()
    return words[0].upper() if words else "UNKNOWN"


def _result_state(path: Path) -> str:
    import pickle

    try:
        with path.open("rb") as fh:
            outcome = pickle.load(fh)[0]  # submitit: ("success", result) or ("error", traceback)
    except Exception:  # noqa: BLE001  (being written, or from another submitit)
        return "UNKNOWN"
    return "COMPLETED" if outcome == "success" else "FAILED"


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
