"""`papernotes runs` says what each run is (issue 23: arms and parents were listed as plain
`simclr/demo`, parents with world "?"): parents are marked with their patch, their arms listed
under them as baseline or patch with their seed. A real MLflow store."""

from __future__ import annotations

import os

from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.cli.console import console
from papernotes.repro.tracking import tags


def test_parents_and_their_arms_are_labelled_and_grouped(ws, monkeypatch):
    monkeypatch.setattr(console, "width", 200)  # (COLUMNS is read once, at import)
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

    monkeypatch.setattr(console, "width", 200)  # (COLUMNS is read once, at import)
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
    monkeypatch.setattr(console, "width", 200)  # (COLUMNS is read once, at import)
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


def test_the_runs_table_fits_80_columns_without_cutting_an_id_or_a_spec(ws, monkeypatch):
    """At 80 columns the table folds cells and leaves out low-value columns (saying which);
    before, rich cropped it: ids `4f166…`, specs `simcl…`, the last column cut off."""
    monkeypatch.setattr(console, "width", 80)
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.create_experiment("simclr")
    base = {tags.SPEC: "simclr", tags.PROFILE: "demo"}
    parent = client.create_run(exp, tags={**base, tags.PATCH: "simclr#1"}).info.run_id
    ids = [parent] + [client.create_run(exp, tags={**base, tags.ARM: arm, tags.SEED: "0",
                                                   tags.PARENT_RUN: parent}).info.run_id
                      for arm in ("baseline", "patch")]
    for rid in ids:
        client.log_metric(rid, "eval/linear_top1", 31.25)
        client.set_terminated(rid, "FINISHED")
    out = CliRunner().invoke(app, ["runs"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert max(len(line) for line in lines) <= 80, out.output
    for rid in ids:
        row = next(line for line in lines if rid[:8] in line)
        assert "simclr/demo" in row and "FINISHED" in row and "31.25" in row, out.output
    assert "not shown at this width: lin@5, world" in out.output


def test_a_job_cell_stays_on_one_line_at_80_columns():
    """`runs` shows a --slurm run's "JOBID STATE" whole (scripts and tests grep for it)."""
    from papernotes.cli.runs import COLUMNS, JOB
    from papernotes.cli.tables import fit_table

    columns = [*COLUMNS[:4], JOB, COLUMNS[4]]
    cells = [["64424d20", "simclr/demo", "repro", "FINISHED", "19301 COMPLETED", "12-08 00:53"]]
    table, hidden = fit_table(columns, cells, 70, cap=True)
    from rich.console import Console

    out = Console(width=70)
    with out.capture() as cap:
        out.print(table)
    assert "19301 COMPLETED" in cap.get() and hidden == ["start"], cap.get()
