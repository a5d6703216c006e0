"""core/locks.py, the one file lock: a note's update, run and arm folders, the board and a new
store's creation all take it. Real processes hold it, since the lock belongs to an open file."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from papernotes.core import locks

HOLD = """
import sys, time
from papernotes.core.locks import FileLock
lock = FileLock(sys.argv[1]).acquire()
print("held", flush=True)
if len(sys.argv) > 2:
    time.sleep(float(sys.argv[2]))  # then exit, which drops the lock
else:
    sys.stdin.readline()  # hold until stdin closes
"""


def _holder(path, hold_s: float | None = None) -> subprocess.Popen:
    extra = [str(hold_s)] if hold_s is not None else []
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), *extra], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_another_process_holding_it_refuses_at_once_then_frees_it_when_done(tmp_path):
    path = tmp_path / "sub" / ".lock"
    proc = _holder(path)
    try:
        assert locks.is_locked(path)
        assert locks.try_lock(path) is None
        with pytest.raises(locks.Busy) as busy:
            locks.FileLock(path).acquire(timeout_s=0.1)
        assert busy.value.pid == proc.pid and busy.value.path == path
    finally:
        proc.stdin.close()
        proc.wait()
    assert not locks.is_locked(path)
    mine = locks.try_lock(path)
    assert mine is not None and mine.held and locks.holder_pid(path) == os.getpid()
    mine.release()
    assert not mine.held and not locks.is_locked(path)


def test_a_blocking_acquire_waits_for_the_holder(tmp_path):
    path = tmp_path / ".lock"
    proc = _holder(path, hold_s=0.4)
    started = time.monotonic()
    with locks.FileLock(path).acquire(timeout_s=None):  # waits until the holder exits
        waited = time.monotonic() - started
        assert proc.wait(timeout=10) == 0 and locks.holder_pid(path) == os.getpid()
    assert waited >= 0.2


def test_same_file_tells_a_replaced_or_removed_file(tmp_path):
    path = tmp_path / ".lock"
    lock = locks.FileLock(path).acquire()
    assert lock.names_file() and locks.same_file(path, lock.fd)
    path.unlink()
    assert not lock.names_file()
    path.write_text("other\n")
    assert not locks.same_file(path, lock.fd)
    lock.release()
    assert locks.wait_free(path, 0.0)
