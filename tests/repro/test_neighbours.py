"""Two commands training at once in one workspace: the second is told the cores are shared and
what that costs (issue 23: 85 s together against 46 s one after the other). Real flocks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from papernotes.repro.launch.layout import ARM_LOCK, LAUNCH_CONFIG, LOCK_FILE
from papernotes.repro.launch.neighbours import busy_runs, cores_warning


def a_run(folder, threads, device="cpu"):
    folder.mkdir(parents=True)
    (folder / LAUNCH_CONFIG).write_text(json.dumps({"train": {"threads": threads, "device": device}}))


def test_another_process_training_here_is_found_and_its_cost_said(tmp_path):
    runs = tmp_path / "runs"
    a_run(runs / "simclr-demo" / "aaaa1111", 2)
    a_run(runs / "simclr-demo" / "arms" / "bbbb2222", 1)
    a_run(runs / "simclr-demo" / "cccc3333", 2)  # its process ended: its lock is free
    (runs / "simclr-demo" / "cccc3333" / LOCK_FILE).write_text("999999\n")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from papernotes.core.locks import FileLock\n"
        f"a = FileLock({str(runs / 'simclr-demo' / 'aaaa1111' / LOCK_FILE)!r}).acquire()\n"
        f"b = FileLock({str(runs / 'simclr-demo' / 'arms' / 'bbbb2222' / ARM_LOCK)!r}).acquire()\n"
        "print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert holder.stdout.readline().strip() == "held"
        found = sorted(busy_runs(runs, depth=3), key=lambda n: n.folder.name)
        assert [(n.folder.name, n.pid, n.threads) for n in found] == [
            ("aaaa1111", holder.pid, 2), ("bbbb2222", holder.pid, 1)]
        # its own folder is not a neighbour
        own = busy_runs(runs, runs / "simclr-demo" / "aaaa1111", depth=3)
        assert [n.folder.name for n in own] == ["bbbb2222"]
        assert cores_warning(found, 2, 2) == (
            f"another run is training here: aaaa1111 (pid {holder.pid}, 2 threads), bbbb2222 "
            f"(pid {holder.pid}, 1 thread); with this one's 2, 5 threads on 2 cores, so each runs "
            "about 2.5x slower than alone (wait for it, or train both as arms of one "
            "`idea run --parallel`)")
        assert cores_warning(found, 1, 16) is None  # room enough: nothing to say
    finally:
        holder.kill()
        holder.wait()
    assert busy_runs(runs, depth=3) == []  # the locks died with their process
