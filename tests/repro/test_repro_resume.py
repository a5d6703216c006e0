"""One folder per run and `--resume [RUN_ID]`: the choice (pure), the locks (real flock), and two
real concurrent runs of one profile, one killed, then resumed."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core import locks
from papernotes.core.errors import PapernotesError
from papernotes.repro.launch.layout import (
    CHECKPOINT,
    LAUNCH_CONFIG,
    LOCK_FILE,
    RUN_FILE,
    checkpoint_file,
    launch_config,
    new_folder_id,
)
from papernotes.repro.run.resume import (
    LATEST,
    NO_RUN,
    Candidate,
    choose,
    fresh_run_line,
    lock_folder,
    other_node_folder,
    runless_folders,
)

from .conftest import TINY

URI = "sqlite:///x.db"
BASE = Path("runs/simclr-demo")


def cand(run_id, status, end, *, locked=False, uri=URI):
    return Candidate(run_id, BASE / run_id, uri, status, end, locked)


def pick(cands, wanted=LATEST):
    return choose(cands, wanted, URI, "simclr/demo", BASE)


def test_resume_picks_the_latest_killed_run_or_the_one_named():
    runs = [cand("aaaa1111", "KILLED", 100), cand("bbbb2222", "FINISHED", 300),
            cand("cccc3333", "KILLED", 200), cand("dddd4444", "FAILED", 400)]
    assert pick(runs).run_id == "cccc3333"  # not the newer FINISHED or FAILED one
    assert pick(runs, "aaaa").run_id == "aaaa1111" and pick(runs, "dddd4444").run_id == "dddd4444"
    errors = {
        "bbbb": "run bbbb2222 already FINISHED: nothing to continue",
        "eeee": "no run 'eeee' of simclr/demo in runs/simclr-demo",
    }
    for wanted, message in errors.items():
        with pytest.raises(PapernotesError, match=message):
            pick(runs, wanted)
    with pytest.raises(PapernotesError, match="prefix '' matches 4 runs"):
        pick(runs, "")
    with pytest.raises(PapernotesError, match="no KILLED run of simclr/demo") as info:
        pick([cand("dddd4444", "FAILED", 400), cand("ffff", "KILLED", 500, locked=True)])
    assert "resumable: dddd4444 (FAILED)" in str(info.value)  # a locked run is in use: skipped
    with pytest.raises(PapernotesError, match="no run of simclr/demo to resume"):
        pick([])
    with pytest.raises(PapernotesError, match="was tracked in sqlite:///other.db"):
        pick([cand("aaaa", "KILLED", 1, uri="sqlite:///other.db")], "aaaa")
    with pytest.raises(PapernotesError, match="not in the MLflow store"):
        pick([cand("aaaa", None, 0)], "aaaa")


def test_a_folder_made_before_its_run_is_found_by_run_id_or_by_its_name(tmp_path):
    # a launch on a new store names its folder before the run exists (layout.new_folder_id)
    early = Candidate("aaaa1111", BASE / "9f9f0000", URI, "KILLED", 100)
    runs = [early, cand("bbbb2222", "KILLED", 50)]
    assert pick(runs, "aaaa") == early and pick(runs, "9f9f") == early and pick(runs) == early
    base = tmp_path / "runs"
    (base / "9f9f0000").mkdir(parents=True)
    (base / "9f9f0000" / RUN_FILE).write_text(json.dumps({"run_id": "aaaa1111"}))
    assert other_node_folder(base, "aaaa", 1, "stamp") == base / "9f9f0000"  # node 1 resumes it
    with pytest.raises(PapernotesError, match="no folder for run 'cccc' on this node"):
        other_node_folder(base, "cccc", 1, "stamp")
    assert len(new_folder_id()) == 32 and new_folder_id() != new_folder_id()


def test_a_folder_whose_process_died_before_its_run_opened_is_resumed_like_a_killed_run(tmp_path):
    base = tmp_path / "runs"
    for name, files in (("9f9f0000", [LAUNCH_CONFIG, CHECKPOINT]),
                        ("aaaa1111", [LAUNCH_CONFIG, RUN_FILE]),  # has its run
                        ("node1-x", [str(launch_config(Path(), 1))])):  # another node's
        for f in files:
            (base / name / f).parent.mkdir(parents=True, exist_ok=True)
            (base / name / f).write_text("{}")
    assert runless_folders(base) == [base / "9f9f0000"]
    dead = Candidate("", base / "9f9f0000", None, NO_RUN, 300)
    runs = [cand("aaaa1111", "KILLED", 200), dead, cand("bbbb2222", "FAILED", 400)]
    assert pick(runs) == dead and pick(runs, "9f9f") == dead  # the latest one that was cut short
    assert pick([cand("aaaa1111", "KILLED", 500), dead]).run_id == "aaaa1111"
    assert dead.label == "9f9f0000 (no MLflow run)"
    assert fresh_run_line(dead) == (f"resuming folder {base / '9f9f0000'}: its process ended before "
                                    "its MLflow run was opened, so a new run continues its checkpoint")
    with pytest.raises(PapernotesError, match="run 9f9f0000 is in use"):
        pick([Candidate("", base / "9f9f0000", None, NO_RUN, 300, True)], "9f9f")


def test_a_run_folder_is_locked_while_in_use(tmp_path):
    held = lock_folder(tmp_path, "abcdef123456")
    try:
        with pytest.raises(PapernotesError, match=rf"run abcdef12 is in use by another papernotes "
                                                  rf"repro \(pid {os.getpid()}\)"):
            lock_folder(tmp_path, "abcdef123456")
        assert locks.is_locked(tmp_path / LOCK_FILE)
        with pytest.raises(PapernotesError, match="in use"):
            choose([Candidate("abcdef123456", tmp_path, None, "KILLED", 1, True)], "abc", URI,
                   "simclr/demo", tmp_path)
    finally:
        held.release()
    assert not locks.is_locked(tmp_path / LOCK_FILE)
    lock_folder(tmp_path, "abcdef123456").release()


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def folders(base: Path) -> dict[str, Path]:
    """{run id: folder} from each folder's run file."""
    out = {}
    for f in base.iterdir():
        if (f / RUN_FILE).is_file():
            out[json.loads((f / RUN_FILE).read_text())["run_id"]] = f
    return out


@pytest.mark.slow  # three tiny real runs in-process: ~15 s on the shared 2-core machine
def test_concurrent_runs_keep_their_folders_and_resume_continues_the_killed_one(ws):
    from papernotes.repro.run.runner import Interrupted, ReproOptions, run_repro

    longer = tuple(x for x in TINY if not x.startswith(("train.max_steps", "train.epochs")))
    longer += ("train.epochs=40", "train.checkpoint_every=1", "train.max_steps=12")
    base = ws / "runs" / "simclr-demo"
    quick: dict = {}

    def quick_run():  # a worker thread: the engine installs no signal handler there
        quick["result"] = run_repro(ReproOptions("simclr", "demo", TINY, device="cpu"),
                                    echo=lambda s: None)

    def interrupt_long_run():  # once the long run has a checkpoint, Ctrl-C (to the main thread)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            for f in base.glob(f"*/{LAUNCH_CONFIG}") if base.is_dir() else []:
                if (json.loads(f.read_text())["train"]["epochs"] == 40
                        and checkpoint_file(f.parent).is_file()):
                    os.kill(os.getpid(), signal.SIGINT)
                    return
            time.sleep(0.05)

    worker = threading.Thread(target=quick_run)
    killer = threading.Thread(target=interrupt_long_run, daemon=True)
    worker.start()
    killer.start()
    with pytest.raises(Interrupted) as info:
        run_repro(ReproOptions("simclr", "demo", longer, device="cpu"), echo=lambda s: None)
    worker.join(timeout=300)
    killer.join(timeout=5)
    finished = quick["result"]
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    runs = {r.info.run_id: r for r in client.search_runs(
        [client.get_experiment_by_name("simclr").experiment_id])}
    killed = next(rid for rid, r in runs.items() if r.info.status == "KILLED")
    assert runs[finished.run_id].info.status == "FINISHED" and len(runs) == 2
    assert f"--resume {killed}" in str(info.value)
    # two runs of one spec and profile, at the same time: a folder each, named by run id
    by_run = folders(base)
    assert set(by_run) == {killed, finished.run_id}
    assert by_run[finished.run_id] == base / finished.run_id == finished.out_dir
    assert by_run[killed] == base / killed
    done_ckpt = checkpoint_file(base / finished.run_id).read_bytes()
    killed_step = max(m.step for m in client.get_metric_history(killed, "train/loss"))
    # `--resume` continues the KILLED run (not the newer FINISHED one), in its own folder
    resumed = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu",
                     *[a for x in longer for a in ("--set", x)], "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert f"MLflow run {killed} FINISHED" in resumed.output
    runs = {r.info.run_id: r.info.status for r in client.search_runs(
        [client.get_experiment_by_name("simclr").experiment_id])}
    assert runs == {killed: "FINISHED", finished.run_id: "FINISHED"}
    assert max(m.step for m in client.get_metric_history(killed, "train/loss")) > killed_step
    assert checkpoint_file(base / finished.run_id).read_bytes() == done_ckpt
    assert set(folders(base)) == {killed, finished.run_id}
    # nothing left to resume: one line, naming why
    again = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", "--resume")
    assert again.exit_code == 2 and again.output.strip() == (
        "error: --resume: no KILLED run of simclr/demo to resume (start a new run without --resume)")
    named = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", "--resume",
                   finished.run_id[:8])
    assert named.exit_code == 2 and "already FINISHED: nothing to continue" in named.output
    # the board was refreshed after each finished run: the better of the two is on it
    board = (ws / "notes" / "board.md").read_text(encoding="utf-8")
    best = max(runs, key=lambda r: client.get_run(r).data.metrics["eval/linear_top1"])
    assert f"[{best[:8]}](" in board and "(n=1; best of 2 runs)" in board
