"""A new store is opened by nobody while it is being made (a real flock, real processes), and a
run folder whose process was SIGKILLed before its store was ready is resumed in place."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.core import locks
from papernotes.core.errors import PapernotesError
from papernotes.repro.launch.layout import LAUNCH_CONFIG, LOCK_FILE, RUN_FILE, checkpoint_file
from papernotes.repro.results.board import finished_runs
from papernotes.repro.tracking import store_lock
from papernotes.repro.tracking.runs import list_runs, run_states
from papernotes.repro.tracking.store_warmup import _CREATE, StoreWarmup, create_store, store_is_new

from .conftest import TINY, tiny_args


def test_a_made_store_opens_at_once_and_one_being_made_is_waited_for(tmp_path):
    db = tmp_path / "mlflow.db"
    uri = f"sqlite:///{db}"
    lock_path = tmp_path / "mlflow.db.lock"
    said: list[str] = []
    db.write_bytes(b"")
    start = time.perf_counter()
    store_lock.wait_for_store(uri, said.append)  # made, no lock file: nothing to wait for
    assert time.perf_counter() - start < 0.05 and said == [] and not store_is_new(uri)
    creator = locks.FileLock(lock_path).acquire()  # another "process" (open file) makes it
    try:
        assert store_is_new(uri) and not store_lock.store_ready(uri)
        line = f"waiting for the MLflow store at {db} being created by pid {os.getpid()}"
        with pytest.raises(PapernotesError) as info:
            store_lock.wait_for_store(uri, said.append, timeout_s=0.3)
        assert said == [line]
        assert str(info.value) == (f"{db}: tracking_uri: the MLflow store is still being created by "
                                   f"pid {os.getpid()} after 0.3 s (wait for it, or stop pid "
                                   f"{os.getpid()} and run this again)")
        warm = StoreWarmup(uri, wait_s=0.3)  # a launch meanwhile: it says so, then one line
        assert warm.waiting == line
        with pytest.raises(PapernotesError, match=r"^\S+: tracking_uri: the MLflow store is still"):
            warm.client()
        said.clear()
        threading.Timer(0.3, lambda: (store_lock.done(creator), creator.release())).start()
        store_lock.wait_for_store(uri, said.append, timeout_s=10)  # until the creator is done
        assert said == [line] and not lock_path.exists() and store_lock.store_ready(uri)
    finally:
        creator.release()
    assert store_lock.hold_for_creation(uri) is None  # made: nobody makes it again
    lock_path.write_text("4242\n")  # a creation whose process was killed: nobody holds it
    assert store_is_new(uri) and store_lock.waiting_line(uri) is None
    store_lock.wait_for_store(uri, said.append, timeout_s=0)  # no wait, no line
    db.write_bytes(b"half-made")
    again = store_lock.hold_for_creation(uri, timeout_s=0)  # the next launch makes it again
    assert again is not None and again.names_file() and locks.holder_pid(lock_path) == os.getpid()
    aside = tmp_path / "mlflow.db.unfinished"  # the half-made file, set aside
    assert not db.exists() and aside.read_bytes() == b"half-made"
    db.write_bytes(b"")  # (the creator makes the store)
    store_lock.done(again)
    again.release()
    assert store_lock.store_ready(uri) and said == [line]


def papernotes(*args: str, cwd: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("MLFLOW_TRACKING_URI", None)
    return subprocess.Popen([sys.executable, "-m", "papernotes", *args], cwd=cwd, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT, text=True)


def wait_for(check, what: str, procs: dict, timeout_s: float = 120) -> None:
    """Until `check()`; fails with the launches' output if one ended or time ran out."""
    deadline = time.monotonic() + timeout_s
    while not check():
        ended = any(p.poll() is not None for p in procs)
        if ended or time.monotonic() > deadline:
            pytest.fail(f"{what}: {'a launch ended' if ended else 'timed out'}\n"
                        + "\n".join(log.read_text() for log in procs.values()))
        time.sleep(0.05)


def half_made(good: Path, db: Path) -> None:
    """A store as a second process finds it during the migrations: tables, an old schema."""
    shutil.copy(good, db)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE alembic_version SET version_num = 'half-way'")
    con.close()


def finish_making(good: Path, db: Path, creator: locks.FileLock) -> float:
    """What the creator does once the migrations are done: the made store, its lock file
    removed, the lock released. Returns the time (ms since the epoch) it was ready."""
    tmp = db.with_name("made.tmp")
    shutil.copy(good, tmp)
    os.replace(tmp, db)
    ready = time.time() * 1000
    store_lock.done(creator)
    creator.release()
    return ready


@pytest.mark.slow  # a child Python runs MLflow's real migrations: ~8 s on 2 busy cores
def test_the_creator_child_shares_the_lock_and_removes_its_file_when_the_store_is_made(tmp_path):
    db = tmp_path / "new" / "mlflow.db"
    uri = f"sqlite:///{db}"
    lock = store_lock.hold_for_creation(uri, timeout_s=0)
    assert lock is not None and lock.names_file() and store_is_new(uri)
    create_store(uri, lock)  # a child Python: the real schema migrations
    assert not store_lock.lock_file(db).exists() and not lock.names_file()  # removed by the child
    lock.release()
    assert store_lock.store_ready(uri)
    assert [e.name for e in MlflowClient(tracking_uri=uri).search_experiments()] == ["Default"]


@pytest.mark.slow  # real migrations, twice: ~15 s on 2 busy cores
def test_a_creation_killed_half_way_is_set_aside_and_the_store_made_anew(tmp_path, capfd):
    """SIGKILL the creator child in the middle of MLflow's migrations: MLflow cannot open what
    it leaves ("table ... already exists"); the next launch sets it aside and makes the store."""
    db = tmp_path / "mlflow.db"
    uri = f"sqlite:///{db}"
    lock = store_lock.hold_for_creation(uri, timeout_s=0)
    child = subprocess.Popen([sys.executable, "-c", _CREATE, uri, str(lock.fd), str(lock.path)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, pass_fds=(lock.fd,))
    while child.poll() is None and not (db.is_file() and db.stat().st_size >= 300_000):
        time.sleep(0.002)  # the made store is ~950 KB; the migrations take seconds
    child.kill()
    assert child.wait() == -signal.SIGKILL  # killed half-way, not finished
    lock.release()  # ... and so was its launch: the lock file stays, held by nobody
    assert store_lock.lock_file(db).exists() and not store_lock.store_ready(uri)
    half = db.read_bytes()
    copy = tmp_path / "copy.db"
    copy.write_bytes(half)
    with pytest.raises(RuntimeError, match=r"^\(sqlite3.OperationalError\) table \w+ already exists"):
        create_store(f"sqlite:///{copy}")  # what users met before; the error's line, not its link
    # readers meanwhile: nothing to read (no run was ever logged to it), not a traceback
    assert list_runs(uri) == [] and finished_runs(uri) == [] and run_states(uri, ["x"]) == {}
    # a broken store with no lock beside it: the reading commands read its tables with sqlite3
    # (store_read.py) and find no run, as MLflow would once it opened; the next write says it
    assert list_runs(f"sqlite:///{copy}") == []
    capfd.readouterr()
    client = StoreWarmup(uri, wait_s=0).client()  # the next launch
    assert [e.name for e in client.search_experiments()] == ["Default"]
    assert store_lock.store_ready(uri) and (tmp_path / "mlflow.db.unfinished").read_bytes() == half
    assert (f"note: {db}: the MLflow store's creation was cut short (its process was killed): "
            "its half-made file is set aside as mlflow.db.unfinished, and the store is made anew"
            in capfd.readouterr().err)


def long_folder(base: Path) -> Path:
    """The folder of the 40-epoch launch (the one to kill), once it has one."""
    for config in base.glob(f"*/{LAUNCH_CONFIG}"):
        if json.loads(config.read_text())["train"]["epochs"] == 40:
            return config.parent
    return base / "not yet"


@pytest.mark.slow  # three tiny real launches, two at once, one SIGKILLed: ~30 s on 2 busy cores
def test_launches_wait_for_a_store_being_made_and_one_killed_meanwhile_resumes_in_its_folder(
        ws, empty_store, tmp_path):
    """While this test holds the store's creation lock (a creator that takes its time), two
    launches start: both say they wait and train meanwhile. One is SIGKILLed at its first
    checkpoint; the other opens its run once the store is made. `--resume` then finds the
    killed launch's folder, which has no run, and a new run continues its checkpoint there."""
    import torch

    db, base = ws / "mlflow.db", ws / "runs" / "simclr-demo"
    longer = [x for x in TINY if not x.startswith(("train.max_steps", "train.epochs"))]
    longer += ["train.epochs=40", "train.checkpoint_every=1", "train.max_steps=60"]
    args = ["repro", "simclr", "--profile", "demo", "--device", "cpu"]
    long_args = [*args, *(a for x in longer for a in ("--set", x))]
    logs = [tmp_path / "killed.log", tmp_path / "quick.log"]
    creator = locks.FileLock(store_lock.lock_file(db)).acquire()  # this test makes the store
    try:
        half_made(empty_store, db)  # opened now, it fails: "out-of-date database schema"
        killed = papernotes(*long_args, cwd=ws, log=logs[0])
        quick = papernotes(*args, *tiny_args(), cwd=ws, log=logs[1])
        line = f"waiting for the MLflow store at {db} being created by pid {os.getpid()}"
        procs = {killed: logs[0], quick: logs[1]}
        wait_for(lambda: all(line in log.read_text() for log in logs), "both launches wait", procs)
        wait_for(lambda: checkpoint_file(long_folder(base)).is_file(), "a checkpoint", procs)
        os.kill(killed.pid, signal.SIGKILL)  # no handler, no clean-up: as the OOM killer does
        killed.wait(timeout=30)
        ready = finish_making(empty_store, db, creator)
    finally:
        creator.release()
    quick.wait(timeout=300)
    out = logs[1].read_text()
    assert quick.returncode == 0 and "Traceback" not in out and "out-of-date" not in out, out
    client = MlflowClient(tracking_uri=f"sqlite:///{db}")
    exp = client.get_experiment_by_name("simclr").experiment_id
    [done] = client.search_runs([exp])
    assert done.info.status == "FINISHED" and done.info.start_time >= ready  # opened once made
    assert f"MLflow run {done.info.run_id} FINISHED" in out
    folder = long_folder(base)
    assert not (folder / RUN_FILE).exists()  # no run: the store was not ready
    assert (folder / LAUNCH_CONFIG).is_file() and not locks.is_locked(folder / LOCK_FILE)
    step = torch.load(checkpoint_file(folder), weights_only=True)["step"]
    result = CliRunner().invoke(app, [*args, "--resume"])  # the config it ran: no --set needed
    assert result.exit_code == 0, result.output
    assert (f"resuming folder {folder}: its process ended before its MLflow run was opened, so a "
            f"new run continues its checkpoint") in " ".join(result.output.split())
    runs = {r.info.run_id: r for r in client.search_runs([exp])}
    [resumed] = [r for rid, r in runs.items() if rid != done.info.run_id]
    assert resumed.info.status == "FINISHED" and resumed.data.tags["papernotes.run_dir"] == str(folder)
    assert json.loads((folder / RUN_FILE).read_text())["run_id"] == resumed.info.run_id
    steps = [m.step for m in client.get_metric_history(resumed.info.run_id, "train/loss")]
    assert steps == list(range(step + 1, 61))  # continued from the checkpoint, not from step 0; one point a step
    assert len([p for p in base.iterdir() if p.is_dir()]) == 2  # no third folder
