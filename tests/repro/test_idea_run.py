"""`papernotes idea run` end to end: real arms (tiny configs), a real SQLite MLflow store."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.format.regions import find_regions
from papernotes.notes.model.ideas_model import parse_expectation
from papernotes.repro.experiment.verdict import verdict
from papernotes.repro.launch.layout import EVENTS_GLOB, checkpoint_file

from .conftest import tiny_args

PATCH = ("idea", "add", "simclr", "weaker colour jitter", "--repro", "simclr", "--profile", "demo",
         "--set", "aug.color_strength=0.25", "--expect", "eval/linear_top1 <= -1")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def runs(ws):
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.get_experiment_by_name("simclr")
    found = client.search_runs([exp.experiment_id], order_by=["attributes.start_time ASC"]) if exp else []
    parents = [r for r in found if "papernotes.patch" in r.data.tags]
    arms = [r for r in found if "papernotes.arm" in r.data.tags]
    return client, parents, arms


def outside_ideas(text: str) -> str:
    r = find_regions(text)["ideas"]
    return text[:r.body_start] + text[r.body_end:]


@pytest.mark.slow  # four tiny arms, two at a time, then a rerun that trains nothing: ~40 s here
def test_paired_arms_nested_runs_verdict_in_the_note_and_reuse(ws, monkeypatch):
    from papernotes.cli import console as console_mod
    from papernotes.repro.experiment import decisions

    monkeypatch.setattr(console_mod.console, "width", 240)
    # the first run creates the store the way a new workspace does: a child process makes it
    # while the arms train
    is_new = decisions.store_is_new  # what idea run's decide_arms reads
    monkeypatch.setattr(decisions, "store_is_new", lambda uri: True)
    assert invoke("new", "simclr", "--lang", "en", "--force").exit_code == 0
    assert invoke(*PATCH).exit_code == 0
    note = ws / "notes" / "simclr.md"
    before = note.read_text(encoding="utf-8")

    r = invoke("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", "--parallel", "2",
               *tiny_args())
    assert r.exit_code == 0, r.output
    assert "4 arms trained, 0 reused" in r.output
    client, parents, arms = runs(ws)
    (parent,) = parents
    pid = parent.info.run_id
    assert parent.info.status == "FINISHED" and parent.data.tags["papernotes.patch"] == "simclr#1"
    assert parent.info.run_name.startswith("simclr#1")
    assert [(a.data.tags["papernotes.arm"], a.data.tags["papernotes.seed"]) for a in
            sorted(arms, key=lambda a: (a.data.tags["papernotes.seed"], a.data.tags["papernotes.arm"]))] == \
        [("baseline", "0"), ("patch", "0"), ("baseline", "1"), ("patch", "1")]
    assert {a.data.tags["mlflow.parentRunId"] for a in arms} == {pid}
    assert len({a.data.tags["papernotes.config_hash"] for a in arms}) == 4
    assert all(a.info.status == "FINISHED" and a.data.params["aug.color_strength"] ==
               ("0.25" if a.data.tags["papernotes.arm"] == "patch" else "1.0") for a in arms)
    # the parent's comparison is the paired verdict of the arms' own metrics
    top1 = {(a.data.tags["papernotes.arm"], a.data.tags["papernotes.seed"]): a.data.metrics["eval/linear_top1"]
            for a in arms}
    expect = parse_expectation("eval/linear_top1 <= -1")
    status, v, c = verdict([top1["baseline", "0"], top1["baseline", "1"]],
                           [top1["patch", "0"], top1["patch", "1"]], expect)
    m = parent.data.metrics
    assert m["compare/n"] == 2 and m["compare/diff_mean"] == pytest.approx(c.diff_mean)
    assert (m["compare/ci_low"], m["compare/ci_high"]) == (pytest.approx(c.ci_low), pytest.approx(c.ci_high))
    assert parent.data.tags["papernotes.verdict"] == status.value
    assert [a.path for a in client.list_artifacts(pid)] == ["comparison.md"]
    assert parent.data.tags["mlflow.note.content"].startswith('[[simclr]] simclr#1 "weaker colour jitter": ')
    assert all(len(client.get_run(a.info.run_id).inputs.dataset_inputs) == 1 for a in arms)

    after = note.read_text(encoding="utf-8")
    assert outside_ideas(after) == outside_ideas(before)
    listed = json.loads(invoke("idea", "list", "simclr", "--json").output)
    (p,) = listed
    assert (p["status"], p["run_id"], p["sets"]) == (status.value, pid, ["aug.color_strength=0.25"])
    assert p["verdict"]["n"] == 2 and p["verdict"]["diff_mean"] == pytest.approx(c.diff_mean, abs=0.006)
    assert p["verdict"]["baseline_mean"] == pytest.approx(c.baseline_mean, abs=0.006)
    assert p["verdict"]["link"].endswith(f"/runs/{pid}")
    assert p["expect"]["text"] == "eval/linear_top1 <= -1"
    # beside the note's rounded cells: the full numbers and the arm runs, from the parent run
    assert p["verdict"]["exact"]["diff_mean"] == m["compare/diff_mean"]
    assert p["verdict"]["exact"]["baseline_sd"] == m["compare/baseline_sd"]
    assert p["verdict"]["parent_run_id"] == pid
    assert sorted((a["seed"], a["arm"], a["run_id"], a["value"], a["reused"]) for a in p["verdict"]["runs"]) == \
        sorted((a.data.tags["papernotes.seed"], a.data.tags["papernotes.arm"], a.info.run_id,
                a.data.metrics["eval/linear_top1"], False) for a in arms)

    # the same command again: every arm is reused, nothing is trained
    monkeypatch.setattr(decisions, "store_is_new", is_new)
    dry = invoke("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", *tiny_args(), "--dry-run")
    assert dry.exit_code == 0 and dry.output.count("reuse run") == 4, dry.output
    again = invoke("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", *tiny_args())
    assert again.exit_code == 0 and "0 arms trained, 4 reused" in again.output, again.output
    _, parents, arms2 = runs(ws)
    assert len(parents) == 2 and len(arms2) == 4
    assert set(parents[1].data.tags["papernotes.reused"].split()) == {a.info.run_id for a in arms}
    assert parents[1].data.metrics["compare/diff_mean"] == pytest.approx(c.diff_mean)
    (p,) = json.loads(invoke("idea", "list", "simclr", "--json").output)
    assert {(a["run_id"], a["reused"]) for a in p["verdict"]["runs"]} == {(a.info.run_id, True) for a in arms}


def test_a_patch_must_predict_something_and_change_something(ws):
    assert invoke("new", "simclr", "--lang", "en", "--force").exit_code == 0
    assert invoke("idea", "add", "simclr", "vague", "--repro", "simclr").exit_code == 0
    r = invoke("idea", "run", "simclr", "1", "--device", "cpu", "--dry-run")
    assert r.exit_code == 2 and "predicts nothing" in r.output and "--expect" in r.output
    assert invoke("idea", "set", "simclr", "1", "--expect", "eval/linear_top1 >= +1").exit_code == 0
    r = invoke("idea", "run", "simclr", "1", "--device", "cpu", "--dry-run")
    assert r.exit_code == 2 and "changes no config field" in r.output
    assert invoke("idea", "set", "simclr", "1", "--set", "aug.color_strength=1.0").exit_code == 0
    r = invoke("idea", "run", "simclr", "1", "--profile", "demo", "--device", "cpu", "--dry-run")
    assert r.exit_code == 2 and "the profile's own values" in r.output
    r = invoke("idea", "run", "simclr", "1", "--seeds", "1", "--device", "cpu", "--dry-run")
    assert r.exit_code == 2 and "at least 2" in r.output
    assert not (ws / "runs").exists()


@pytest.mark.slow  # two arms interrupted mid-training, then resumed: 60-120 s on the shared machine
def test_ctrl_c_keeps_the_note_and_the_next_run_continues(ws, tmp_path):
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "XDG_CACHE_HOME": str(tmp_path / "c")}
    pn = [sys.executable, "-m", "papernotes"]
    run = lambda *a: subprocess.run([*pn, *a], cwd=ws, env=env, capture_output=True, text=True, timeout=300)  # noqa: E731
    assert run("new", "simclr", "--lang", "en", "--force").returncode == 0
    assert run(*PATCH).returncode == 0
    note = ws / "notes" / "simclr.md"
    before = note.read_bytes()
    longer = [*tiny_args(), "--set", "train.max_steps=null", "--set", "train.epochs=25"]
    cmd = [*pn, "idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", "--parallel", "2", *longer]
    # `idea run ... | tee log`, Ctrl-C at the terminal: SIGINT to the whole process group, so tee
    # dies too and stdout's reader is gone; and papernotes starts with SIGINT ignored, as a job
    # started in the background (`cmd &`) does: it must install its own handler
    out_log, err_log, rc = tmp_path / "out.log", tmp_path / "err.log", tmp_path / "rc"
    line = (f"(trap '' INT; {' '.join(shlex.quote(w) for w in cmd)} 2>{err_log}; echo $? >{rc}) "
            f"| tee {out_log}")
    proc = subprocess.Popen(["sh", "-c", line], cwd=ws, env=env, stdout=subprocess.DEVNULL,
                            start_new_session=True)
    arms_dir = ws / "runs" / "simclr-demo" / "arms"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # wait until both arms are training
        events = list(arms_dir.glob(f"*/{EVENTS_GLOB}")) if arms_dir.is_dir() else []
        if sum('"event": "step"' in e.read_text(encoding="utf-8") for e in events) >= 2:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=120)
    deadline = time.monotonic() + 120
    while not (rc.is_file() and rc.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.2)
    err = err_log.read_text(encoding="utf-8")
    assert rc.read_text().strip() == "130", err
    assert "the note is unchanged" in err and "run the same command again" in err and "Traceback" not in err
    assert note.read_bytes() == before
    _, parents, arms = runs(ws)
    assert [p.info.status for p in parents] == ["KILLED"]
    assert len(arms) == 2 and {a.info.status for a in arms} == {"KILLED"}  # every arm stopped
    for killed in arms:
        assert checkpoint_file(arms_dir / killed.data.tags["papernotes.config_hash"][:16]).is_file()
    killed = arms[0]

    dry = run("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", *longer, "--dry-run")
    for stopped in arms:
        assert f"resume run {stopped.info.run_id} from its checkpoint" in dry.stdout, dry.stdout
    done = run("idea", "run", "simclr", "1", "--seeds", "2", "--device", "cpu", *longer, "--parallel", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    _, parents, arms = runs(ws)
    assert [p.info.status for p in parents] == ["KILLED", "FINISHED"]
    assert len(arms) == 4 and {a.info.status for a in arms} == {"FINISHED"}
    resumed = next(a for a in arms if a.info.run_id == killed.info.run_id)
    assert resumed.data.tags["mlflow.parentRunId"] == parents[1].info.run_id
    assert note.read_bytes() != before
