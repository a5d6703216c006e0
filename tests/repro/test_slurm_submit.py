"""`papernotes repro --slurm`: the sbatch scripts submitit writes (golden, 1x8 and 4x8), the
rendezvous on the first node of SLURM_JOB_NODELIST, and bad input (one line, nothing submitted)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core.errors import PapernotesError
from papernotes.core.slurm_settings import SlurmDefaults
from papernotes.repro.launch.slurm import first_node, rendezvous_endpoint, slurm_request

GOLDEN = Path(__file__).parent / "golden"
SERVER = "http://127.0.0.1:5999"  # a dry run checks no server


def dry_run(ws: Path, *args: str):
    old = Path.cwd()
    os.chdir(ws)
    try:
        return CliRunner().invoke(app, ["repro", "simclr", "--slurm", "--dry-run", *args])
    finally:
        os.chdir(old)


def _golden(out: str, ws: Path) -> str:
    return out.replace(str(ws), "<ws>").replace(os.sep, "/")


@pytest.mark.parametrize("nodes, name", [(1, "sbatch_1x8.txt"), (4, "sbatch_4x8.txt")])
def test_the_sbatch_script_and_each_node_s_command_are_golden(ws, nodes, name):
    result = dry_run(ws, "--partition", "gpu", "--time", "24:00:00", "--gpus", "8", "--nodes", str(nodes),
                     "--account", "lab", "--slurm-arg", "mem=480G", "--tracking-uri", SERVER)
    assert result.exit_code == 0, result.output
    out = _golden(result.output, ws)
    golden = GOLDEN / name
    if os.environ.get("PAPERNOTES_REGOLD"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert "#SBATCH --requeue\n" in out and "#SBATCH --signal=USR2@90\n" in out
    assert f"#SBATCH --nodes={nodes}\n" in out and "#SBATCH --gpus-per-node=8\n" in out
    if nodes > 1:
        assert "--rdzv-endpoint=<first node of $SLURM_JOB_NODELIST>:29500" in out
    assert not (ws / "runs").exists()  # nothing made, nothing submitted


def test_the_defaults_come_from_papernotes_yaml_and_the_command_line_wins(ws):
    cfg = ws / "papernotes.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "slurm:\n  partition: big\n  time: '2:00:00'\n"
                   "  qos: high\n  args: {exclusive: true}\n", encoding="utf-8")
    result = dry_run(ws, "--profile", "demo", "--time", "30:00")
    assert result.exit_code == 0, result.output
    for line in ("#SBATCH --partition=big", "#SBATCH --qos=high", "#SBATCH --time=30",
                 "#SBATCH --exclusive", "#SBATCH --requeue"):
        assert line + "\n" in result.output
    # the demo profile's periodic default (launch/checkpoints.py), as every launch has it
    assert re.search(r"checkpoints every [1-9]\d* steps; overrides: \(none\)", result.output)
    cfg.write_text(cfg.read_text(encoding="utf-8") + "  checkpoint_every: 500\n", encoding="utf-8")
    result = dry_run(ws, "--profile", "demo")
    assert "checkpoints every 500 steps; overrides: train.checkpoint_every=500" in result.output


def test_the_rendezvous_is_the_first_node_of_the_job_s_node_list():
    assert first_node("gpu[017-020,033]") == "gpu017"
    assert first_node("a100-n3,a100-n[5-6]") == "a100-n3"
    assert rendezvous_endpoint({"SLURM_JOB_NODELIST": "node[08-11]"}) == "node08:29500"
    assert rendezvous_endpoint({}) == "127.0.0.1:29500"  # submitit's local executor: this machine
    with pytest.raises(PapernotesError, match="SLURM_JOB_NODELIST"):
        first_node("gpu[1-")


@pytest.mark.parametrize("args, message", [
    (("--time", "1:00:00"), "--partition: no SLURM partition given and none in papernotes.yaml"),
    (("--partition", "gpu", "--time", "1h"), "--time: time limit '1h' is not in a form sbatch reads"),
    (("--partition", "gpu", "--time", "1:00:00", "--nodes", "2"),
     "--tracking-uri: a job of 2 nodes cannot track into SQLite"),
    (("--partition", "gpu", "--time", "1:00:00", "--slurm-arg", "mem"), "--slurm-arg: expected KEY=VALUE"),
])
@pytest.mark.parametrize("dry", [True, False])
def test_bad_input_is_one_line_and_nothing_is_submitted(ws, args, message, dry):
    old = Path.cwd()
    os.chdir(ws)
    try:
        result = CliRunner().invoke(app, ["repro", "simclr", "--profile", "demo", "--slurm", *args]
                                    + (["--dry-run"] if dry else []))
    finally:
        os.chdir(old)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
    assert not (ws / "runs").exists()
    assert MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}").search_experiments() == [] or \
        not MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}").search_runs(
            [e.experiment_id for e in MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}").search_experiments()])


def test_a_slurm_option_without_slurm_is_one_line(ws):
    old = Path.cwd()
    os.chdir(ws)
    try:
        result = CliRunner().invoke(app, ["repro", "simclr", "--partition", "gpu"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2 and "--partition: --partition is a SLURM option (add --slurm)" in result.output


def test_no_sbatch_here_is_one_line_before_any_run_is_opened(ws, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("PAPERNOTES_SUBMITIT_CLUSTER", raising=False)
    old = Path.cwd()
    os.chdir(ws)
    try:
        result = CliRunner().invoke(app, ["repro", "simclr", "--profile", "demo", "--slurm",
                                          "--partition", "gpu", "--time", "10"])
    finally:
        os.chdir(old)
    assert result.exit_code == 2 and "--slurm: sbatch is not on PATH" in result.output, result.output
    assert not (ws / "runs").exists()


def test_the_request_takes_each_value_from_the_command_line_else_the_defaults():
    defaults = SlurmDefaults(partition="gpu", time="1:00:00", gpus=4, account="lab", args={"mem": "1G"})
    req = slurm_request(defaults, gpus=8, time="2:00:00", args=("mem=2G", "gres=gpu:8"), spec_gpus=1)
    assert (req.partition, req.time, req.time_min, req.gpus_per_node, req.account, req.nodes) == (
        "gpu", "2:00:00", 120, 8, "lab", 1)
    assert req.extra == (("gres", "gpu:8"), ("mem", "2G"))
    assert slurm_request(SlurmDefaults(partition="p", time="5"), spec_gpus=2).gpus_per_node == 2
