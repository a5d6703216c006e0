"""A submitted job's state from its run folder (repro/launch/slurm_jobs.py): submitit's result
pickle, a local job's controller process, and the job file that names them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from submitit.core.utils import cloudpickle_dump

from papernotes.repro.launch.layout import JOB_FILE
from papernotes.repro.launch.slurm_jobs import job_state, read_job
from papernotes.repro.run.slurm_submit import write_job_file


def submitted(tmp_path: Path, job_id: str, cluster: str) -> Path:
    run_dir = tmp_path / "run"
    (run_dir / "slurm").mkdir(parents=True)
    write_job_file(run_dir, job_id, cluster, run_dir / "slurm")
    return run_dir


def test_the_job_file_names_the_job_and_its_folder(tmp_path):
    run_dir = submitted(tmp_path, "4242", "slurm")
    data = json.loads((run_dir / JOB_FILE).read_text(encoding="utf-8"))
    assert (data["job_id"], data["cluster"], data["folder"]) == ("4242", "slurm", str(run_dir / "slurm"))
    job = read_job(run_dir)
    assert job.log == run_dir / "slurm" / "4242_0_log.out" and job.errors.name == "4242_0_log.err"
    assert read_job(tmp_path) is None and read_job(None) is None


def test_an_ended_job_is_read_from_submitit_s_result_pickle(tmp_path):
    run_dir = submitted(tmp_path, "77", "slurm")
    job = read_job(run_dir)
    cloudpickle_dump(("success", {"status": "FINISHED"}), job.result)
    assert job_state(job) == "COMPLETED"
    cloudpickle_dump(("error", "Traceback ..."), job.result)
    assert job_state(job) == "FAILED"


def test_a_local_job_runs_while_its_controller_lives(tmp_path):
    assert job_state(read_job(submitted(tmp_path / "a", str(os.getpid()), "local"))) == "RUNNING"
    assert job_state(read_job(submitted(tmp_path / "b", "999999999", "local"))) == "UNKNOWN"


def test_without_sacct_a_slurm_job_s_state_is_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no sacct here
    assert job_state(read_job(submitted(tmp_path, "5", "slurm"))) == "UNKNOWN"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_torchrun_and_its_ranks_ignore_slurm_s_warning_signals(tmp_path):
    """SLURM signals every process of the step; only the job's task may act on USR1/USR2."""
    import signal

    from papernotes.repro.launch.engine import start_torchrun

    out = tmp_path / "status"
    proc = start_torchrun(["sh", "-c", f"grep SigIgn /proc/self/status > {out}"], tmp_path)
    assert proc.wait(timeout=30) == 0
    ignored = int(out.read_text().split()[1], 16)
    assert ignored & (1 << (signal.SIGUSR1 - 1)) and ignored & (1 << (signal.SIGUSR2 - 1))
