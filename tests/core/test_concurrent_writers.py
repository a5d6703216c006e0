"""Sixteen papernotes processes write one note at once while an editor inserts lines into it:
every result, every run row and every edit is there at the end (papernotes.core.locked_update)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time

import pytest

from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.regions import find_regions, region_body
from papernotes.repro.results.writeback import existing_runs

ANCHOR = "My own words, kept.\n"

# An editor in the manner of Obsidian: reads the note, inserts a line outside the regions and
# writes the file in place, 15-50 times a second (Obsidian saves about once a second while one
# types). If the file was replaced while it wrote (its write went to the old file), it writes its
# line again into the current one unless the line is already there.
EDITOR = textwrap.dedent('''
    import os, random, sys, time
    path, stop, anchor = sys.argv[1], sys.argv[2], sys.argv[3] + "\\n"

    def read(fd):
        out, off = [], 0
        while chunk := os.pread(fd, 1 << 20, off):
            out.append(chunk); off += len(chunk)
        return b"".join(out)

    def same(fd):
        a, b = os.stat(path), os.fstat(fd)
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)

    n = 0
    while n < 12 or not os.path.exists(stop):
        line = f"editor line {n}\\n"
        while True:
            fd = os.open(path, os.O_RDWR)
            try:
                data = read(fd)
                text = data.decode()
                if line in text:
                    break
                new = text.replace(anchor, anchor + line, 1).encode()
                if read(fd) != data:
                    continue
                os.pwrite(fd, new, 0)
                os.ftruncate(fd, len(new))
                if same(fd):
                    break
            finally:
                os.close(fd)
        n += 1
        time.sleep(random.uniform(0.02, 0.06))
    print(n)
''')

ROW_WRITER = textwrap.dedent('''
    import sys
    from pathlib import Path
    from papernotes.repro.results.writeback import RunRow, write_back
    note, i = Path(sys.argv[1]), int(sys.argv[2])
    row = RunRow(run_id=f"{i:02d}" * 16, date="2026-11-24", spec="simclr/demo", backbone="resnet18",
                 dataset="synthetic", epochs=1, batch=32, metrics={"eval/linear_top1": float(i)},
                 hardware="cpu", wall_time_s=1.0, link="http://127.0.0.1:5000/")
    write_back(note, note.parent.parent, row, [], None, spec="simclr")
''')


def _outside_regions(text: str) -> str:
    """The text outside the managed regions and the flat properties a run owns (repro_top1...)."""
    text = re.sub(r"(?m)^(paper_top1|repro_top1|repro_ci95|repro_n|repro_protocol|repro_run): .*\n", "", text)
    regions = sorted(find_regions(text).values(), key=lambda r: r.start)
    out, pos = [], 0
    for r in regions:
        out.append(text[pos:r.start])
        pos = r.end
    return "".join(out) + text[pos:]


@pytest.mark.slow  # 17 processes: 25-45 s on the shared 2-core machine
def test_sixteen_writers_and_an_editor_lose_nothing(ws_dir, tmp_path):
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    pn = [sys.executable, "-m", "papernotes"]
    assert subprocess.run([*pn, "new", "simclr", "--lang", "en"], cwd=ws_dir, env=env).returncode == 0
    note = ws_dir / "notes" / "simclr.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("## 2.", ANCHOR + "\n## 2.", 1), encoding="utf-8")
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.patching import add_patch
    from papernotes.notes.vault import update_note

    def twelve(n):
        log = n.ideas
        for i in range(12):
            log, _ = add_patch(log, f"patch {i + 1}")
        return n.model_copy(update={"ideas": log})

    update_note(find_workspace(ws_dir), "simclr", twelve)
    before = _outside_regions(note.read_text(encoding="utf-8"))

    stop = tmp_path / "stop"
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(note), str(stop), ANCHOR.strip()],
                              stdout=subprocess.PIPE, text=True)
    time.sleep(0.2)
    writers = [subprocess.Popen([*pn, "idea", "set", "simclr", str(i), "--result", f"result {i}"],
                                cwd=ws_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True) for i in range(1, 13)]
    writers += [subprocess.Popen([sys.executable, "-c", ROW_WRITER, str(note), str(i)], env=env,
                                 stderr=subprocess.PIPE, text=True) for i in range(4)]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    stop.touch()
    edits = int(editor.communicate(timeout=60)[0])
    assert [w.returncode for w in writers] == [0] * 16, [e for e in errors if e]

    final = note.read_text(encoding="utf-8")
    log = parse_note(final, path=note, key="simclr").note.ideas
    assert [p.result for p in log.patches] == [f"result {i}" for i in range(1, 13)]
    rows, _ = existing_runs(region_body(final, "repro"))
    assert sorted(r.split(" | ")[0] for r in rows) == [f"| `{i:02d}{i:02d}{i:02d}{i:02d}`" for i in range(4)]
    # every edit exactly once, right below the anchor (two edits that met may sit either way round)
    outside = _outside_regions(final)
    seen = [ln for ln in outside.splitlines(keepends=True) if ln.startswith("editor line ")]
    want = {f"editor line {n}\n" for n in range(edits)}
    assert sorted(seen) == sorted(want), (sorted(want - set(seen)), [ln for ln in set(seen) if seen.count(ln) > 1],
                                          sorted(set(seen) - want))
    assert outside == before.replace(ANCHOR, ANCHOR + "".join(seen), 1)
    assert edits >= 12
