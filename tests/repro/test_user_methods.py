"""A method of the user's (`repro/methods/*.py`) through `papernotes repro`: named by `--set
method=...`, its options set like a built-in's, its code pinned (config hash, `papernotes.code.*`
tags, artifacts), and its bugs the user's: one line naming their file and line, exit 2, the note
untouched, the MLflow run FAILED with the traceback as an artifact."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core.workspace import find_workspace
from papernotes.repro.run.runner import ReproOptions, prepare
from papernotes.repro.spec.config_hash import config_hash

from .conftest import NOTE, tiny_args

METHOD = '''from dataclasses import dataclass

from papernotes.ssl.methods import SimCLR, register_method


@dataclass(frozen=True)
class Options(SimCLR.Options):
    fail_at: int = -1  # a step to raise at (a bug on purpose)


@register_method("simclr_user", options=Options)
class SimCLRUser(SimCLR):
    def forward(self, views, step):
        if step == self.options.fail_at:
            raise RuntimeError(f"boom at step {step}")
        return super().forward(views, step)
'''


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def runs_of(root: Path):
    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
    exp = client.get_experiment_by_name("simclr")
    return client, ([] if exp is None else client.search_runs([exp.experiment_id]))


def user_file(ws: Path, text: str = METHOD) -> Path:
    path = ws / "repro" / "methods" / "simclr_user.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow  # two tiny repro runs: ~50 s here
def test_a_user_method_runs_pinned_and_its_bug_is_theirs(ws):
    path = user_file(ws)
    ok = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args(),
                "--set", "method=simclr_user", "--set", "simclr_user.fail_at=-5")
    assert ok.exit_code == 0, ok.output
    client, (run,) = runs_of(ws)
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert run.info.status == "FINISHED"
    assert run.data.tags["papernotes.code.simclr_user.py"] == digest
    assert run.data.params["method"] == "simclr_user" and run.data.params["simclr_user.temperature"] == "0.2"
    assert [a.path for a in client.list_artifacts(run.info.run_id, "code")] == ["code/simclr_user.py"]
    note = (ws / "notes" / "simclr.md").read_bytes()

    bad = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args(),
                 "--set", "method=simclr_user", "--set", "simclr_user.fail_at=1")
    assert bad.exit_code == 2
    line = [x for x in bad.output.splitlines() if x.startswith("error:")]
    assert line == [f"error: {path.resolve()}:15: RuntimeError: boom at step 1"], bad.output
    assert "Traceback" not in bad.output
    assert (ws / "notes" / "simclr.md").read_bytes() == note
    _, runs = runs_of(ws)
    failed = [r for r in runs if r.info.status == "FAILED"]
    assert len(failed) == 1
    (art,) = client.list_artifacts(failed[0].info.run_id, "error")
    text = Path(client.download_artifacts(failed[0].info.run_id, art.path, str(ws / "dl"))).read_text()
    assert "RuntimeError: boom at step 1" in text and "simclr_user.py" in text


def test_the_code_is_in_the_config_hash_edit_and_restore(ws):
    path = user_file(ws)
    opts = ReproOptions(name="simclr", profile="demo", device="cpu", overrides=("method=simclr_user",))

    def digest():
        res, plan, _ = prepare(opts, find_workspace(ws))
        return config_hash(res.config, plan.world_size)

    first = digest()
    path.write_text(METHOD + "# a comment changes the bytes\n", encoding="utf-8")
    assert digest() != first
    path.write_text(METHOD, encoding="utf-8")
    assert digest() == first
    builtin, plan, _ = prepare(ReproOptions(name="simclr", profile="demo", device="cpu"), find_workspace(ws))
    assert config_hash(builtin.config, plan.world_size) != first


def test_a_syntax_error_stops_the_command_before_anything_is_written(ws):
    path = user_file(ws, "def broken(:\n")
    r = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args())
    assert r.exit_code == 2 and f"{path.resolve()}:1: SyntaxError" in r.output and "Traceback" not in r.output
    assert (ws / "notes" / "simclr.md").read_bytes() == NOTE.encode("utf-8")
    assert runs_of(ws)[1] == [] and not (ws / "runs").exists()


@pytest.mark.slow  # a tiny idea run up to its failing arm: ~40 s here (more under load)
def test_a_bug_in_an_idea_run_arm_is_the_users_line_and_a_failed_arm_with_its_traceback(ws):
    path = user_file(ws)
    assert invoke("new", "simclr", "--lang", "en", "--force").exit_code == 0
    r = invoke("idea", "add", "simclr", "a bug on purpose", "--repro", "simclr", "--profile", "demo",
               "--set", "method=simclr_user", "--set", "simclr_user.fail_at=0", "--expect", "eval/linear_top1 >= +1")
    assert r.exit_code == 0, r.output
    note = (ws / "notes" / "simclr.md").read_bytes()
    run = invoke("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", "--parallel", "1", *tiny_args())
    assert run.exit_code == 2
    assert f"error: {path.resolve()}:15: RuntimeError: boom at step 0" in run.output.splitlines(), run.output
    assert (ws / "notes" / "simclr.md").read_bytes() == note
    client, runs = runs_of(ws)
    (arm,) = [r for r in runs if r.data.tags.get("papernotes.arm") == "patch"]
    assert arm.info.status == "FAILED"
    assert [a.path for a in client.list_artifacts(arm.info.run_id, "error")] == ["error/traceback.txt"]
    assert [a.path for a in client.list_artifacts(arm.info.run_id, "code")] == ["code/simclr_user.py"]


def test_reading_specs_loads_no_method_and_no_torch():
    """The board and `runs` read every spec: listing a profile's sections must not load the
    methods (torch); the methods load when a config is resolved."""
    import subprocess
    import sys

    probe = ("import sys\nfrom papernotes.core.resources import shipped_dir\n"
             "from papernotes.repro.spec.model import load_spec\n"
             "for p in sorted(shipped_dir('repro').glob('*.yaml')):\n    load_spec(p)\n"
             "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
