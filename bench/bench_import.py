"""Benchmark for `papernotes import`: 1,000 real-world-shaped notes (the test corpus in
tests/notes/importer/corpus/, copied under new names; every 50th one damaged through a code
page) imported into a fresh vault, end to end through the CLI in a fresh process, then
validated. Goal: under 30 s.

    /work/venv/bin/python bench/bench_import.py [--notes 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "notes" / "importer" / "corpus"
PAGES = ["cp1252", "cp1254", "cp1251", "cp1250"]


def make_sources(folder: Path, n: int) -> None:
    from papernotes.notes.repair.codepages import damage

    files = sorted(CORPUS.glob("*.md"))
    folder.mkdir(parents=True)
    for i in range(n):
        src = files[i % len(files)]
        data = src.read_bytes()
        if i % 50 == 49:  # some damaged the user's way, through several pages
            data = damage(data.decode("utf-8"), PAGES[(i // 50) % len(PAGES)]).encode("utf-8")
        (folder / f"{src.stem}-{i:04d}.md").write_bytes(data)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=1000)
    args = ap.parse_args()
    exe = str(Path(sys.executable).parent / "papernotes")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "old-vault"
        make_sources(src, args.notes)
        vault = Path(tmp) / "vault"
        subprocess.run([exe, "init", str(vault)], check=True, capture_output=True, env=env)
        t0, c0 = time.perf_counter(), os.times()
        out = subprocess.run([exe, "import", str(src), "--into", str(vault)], check=True,
                             capture_output=True, text=True, env=env)
        wall, c1 = time.perf_counter() - t0, os.times()
        cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
        written = len(list((vault / "notes").glob("*.md")))
        identified = sum("→ catalog" in ln and "no single paper" not in ln
                         for ln in out.stdout.splitlines() if "paper: " in ln)
        print(f"import of {args.notes} notes: {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({args.notes / wall:.0f} notes/s); {written} notes in the vault; "
              f"{identified} identified as a catalog paper")
        print(out.stdout.strip().splitlines()[-1])
        t0 = time.perf_counter()
        val = subprocess.run([exe, "validate", "--no-cache"], cwd=vault, capture_output=True,
                             text=True, env=env)
        print(f"validate after import: exit {val.returncode}, {time.perf_counter() - t0:.1f} s: "
              f"{val.stdout.strip().splitlines()[-1] if val.stdout.strip() else val.stderr[-200:]}")
        shutil.rmtree(src)
    return 0


if __name__ == "__main__":
    sys.exit(main())
