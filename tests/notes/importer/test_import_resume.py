"""An import can be stopped and run again (issue 22): Ctrl-C during the writes stops it with a
count and the command to continue; running the same import again skips what was imported
(same file, same content) and writes the rest, never `笔记 0 1.md` beside `笔记 0.md`.

A real process and a real SIGINT: the import is frozen (SIGSTOP) as soon as its first note is
on disk, sent SIGINT, and let go (SIGCONT), so the signal always lands in the write phase."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
N = 120


class _Run:
    """A papernotes process whose output goes to files (a pipe nobody reads would block it)."""

    def __init__(self, cwd: Path, *args: str, cache: Path):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1",
               "XDG_CACHE_HOME": str(cache), "OMP_NUM_THREADS": "1"}
        self.out, self.err = cache.parent / "out.txt", cache.parent / "err.txt"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "papernotes", *args], cwd=cwd,
                                         env=env, stdout=out, stderr=err)
        self.pid = self.proc.pid

    def poll(self):
        return self.proc.poll()

    def communicate(self, timeout: float = 240) -> tuple[str, str]:
        self.proc.wait(timeout=timeout)
        self.returncode = self.proc.returncode
        return (self.out.read_text(encoding="utf-8"), self.err.read_text(encoding="utf-8"))


_papernotes = _Run


def _imported(notes: Path) -> list[Path]:
    return sorted(notes.glob("笔记 *.md"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_mid_write_says_how_many_and_the_same_command_continues(ws_dir, tmp_path):
    src = tmp_path / "导出"
    src.mkdir()
    for i in range(N):
        (src / f"笔记 {i:03d}.md").write_text(f"# 笔记 {i}\n\n第 {i} 篇。\n", encoding="utf-8")
    notes, cache = ws_dir / "notes", tmp_path / "cache"

    proc = _papernotes(ws_dir, "import", str(src), cache=cache)
    deadline = time.monotonic() + 240
    while not _imported(notes):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGSTOP)
    os.kill(proc.pid, signal.SIGINT)
    os.kill(proc.pid, signal.SIGCONT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    written = len(_imported(notes))
    assert 0 < written < N
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines == [f"error: interrupted: {written} of {N} note(s) written, nothing "
                     f"half-written (run `papernotes import {shlex.quote(str(src))}` again to continue: notes "
                     "already imported are skipped)"], err
    assert "Traceback" not in out + err

    again = _papernotes(ws_dir, "import", str(src), cache=cache)
    out, err = again.communicate(timeout=240)
    assert again.returncode == 0, (out, err)
    assert f"imported {N - written} note(s), 0 attachment(s), {written} already imported " \
           "(same file, same content) skipped" in out, out
    names = [p.name for p in _imported(notes)]
    assert names == sorted(f"笔记 {i:03d}.md" for i in range(N))  # no `笔记 000 1.md`
    for i in (0, written - 1, N - 1):
        assert f"第 {i} 篇。" in (notes / f"笔记 {i:03d}.md").read_text(encoding="utf-8")

    third = _papernotes(ws_dir, "import", str(src), cache=cache)
    out, err = third.communicate(timeout=240)
    assert third.returncode == 0 and f"imported 0 note(s), 0 attachment(s), {N} already " \
        "imported" in out, (out, err)
    assert len(_imported(notes)) == N
