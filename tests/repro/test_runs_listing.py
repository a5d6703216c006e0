"""`papernotes runs` says what each run is (issue 23: arms and parents were listed as plain
`simclr/demo`, parents with world "?"): parents are marked with their patch, their arms listed
under them as baseline or patch with their seed. A real MLflow store."""

from __future__ import annotations

import os

from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.repro.tracking import tags


def test_parents_and_their_arms_are_labelled_and_grouped(ws, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.create_experiment("simclr")
    base = {tags.SPEC: "simclr", tags.PROFILE: "demo"}

    def run(extra, world="1"):
        rid = client.create_run(exp, tags={**base, **extra}).info.run_id
        if world:
            client.log_param(rid, "world_size", world)
        client.set_terminated(rid, "FINISHED")
        return rid

    plain = run({tags.SEED: "0"})
    parent = run({tags.PATCH: "simclr#1"}, world=None)
    arms = [run({tags.ARM: arm, tags.SEED: str(seed), tags.PARENT_RUN: parent})
            for seed in (0, 1) for arm in ("baseline", "patch")]
    later = run({tags.SEED: "0"})
    out = CliRunner().invoke(app, ["runs"])
    assert out.exit_code == 0, out.output
    lines = [line for line in out.output.splitlines() if "simclr/demo" in line]
    ids = [next(w for w in line.replace("│", " ").split()) for line in lines]
    assert ids == [r[:8] for r in (later, parent, *reversed(arms), plain)]  # arms under their parent
    words = [" ".join(line.replace("│", " ").split()) for line in lines]
    assert "idea simclr#1" in words[1] and words[1].endswith("–")  # a parent trains nothing
    assert "└ patch s1" in words[2] and "└ baseline s0" in words[5]
    assert "repro" in words[0] and "repro" in words[6]


def test_an_idea_run_parent_whose_process_is_gone_is_shown_killed(ws, monkeypatch):
    import socket
    import subprocess
    import sys

    monkeypatch.setenv("COLUMNS", "200")
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.create_experiment("simclr")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a real process, ended: its pid names no one now
    host = socket.gethostname()
    base = {tags.SPEC: "simclr", tags.PROFILE: "demo", tags.HOST: host}
    dead = client.create_run(exp, tags={**base, tags.PATCH: "simclr#1", tags.PID: str(gone.pid)}).info.run_id
    alive = client.create_run(exp, tags={**base, tags.PATCH: "simclr#2", tags.PID: str(os.getpid())}).info.run_id
    elsewhere = client.create_run(exp, tags={**base, tags.PATCH: "simclr#3", tags.PID: str(gone.pid),
                                              tags.HOST: host + "-other"}).info.run_id
    out = CliRunner().invoke(app, ["runs"])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert f"{dead[:8]} KILLED: its idea run process (pid {gone.pid}) ended without closing" in said
    status = {r: client.get_run(r).info.status for r in (dead, alive, elsewhere)}
    assert status == {dead: "KILLED", alive: "RUNNING", elsewhere: "RUNNING"}  # another host: not ours


def test_a_seeds_parent_shows_the_mean_over_its_seeds(ws, monkeypatch):
    # `repro --seeds 2` logs eval/linear_top1.mean on its parent: shown, not "–"; world "–" not "?"
    monkeypatch.setenv("COLUMNS", "200")
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.create_experiment("simclr")
    parent = client.create_run(exp, tags={tags.SPEC: "simclr", tags.PROFILE: "demo",
                                          tags.SEED_RUNS: "a,b"}).info.run_id
    client.log_metric(parent, "eval/linear_top1.mean", 12.5)
    client.log_metric(parent, "eval/knn_top1.mean", 10.15625)
    client.set_terminated(parent, "FINISHED")
    out = CliRunner().invoke(app, ["runs"])
    assert out.exit_code == 0, out.output
    line = next(ln for ln in out.output.splitlines() if parent[:8] in ln)
    words = " ".join(line.replace("│", " ").split())
    assert words.endswith("seeds FINISHED " + words.split()[4] + " " + words.split()[5]
                          + " 12.50 – 10.16 –"), words
