"""Benchmark for `papernotes doctor` on a 5 MB note (issue 22: it printed 60,000 lines and took
15 s): a note made from the catalog, its body repeated to 5 MB, checked by the real command in
a child process; prints JSON with the lines printed, the child's wall and CPU seconds, and,
as the baseline of the same run, the CPU seconds of the repair pass alone (the floor).

    PYTHONPATH=. python bench/bench_doctor_big.py [--mb 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=5.0)
    args = ap.parse_args()
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        cmd = [sys.executable, "-m", "papernotes"]
        subprocess.run([*cmd, "init", str(root)], check=True, capture_output=True, env=env)
        subprocess.run([*cmd, "new", "simclr"], cwd=root, check=True, capture_output=True,
                       env=env)
        text = (root / "notes" / "simclr.md").read_text(encoding="utf-8")
        end = text.index("\n---\n", 4) + 5
        body = text[end:]
        big = root / "notes" / "big.md"
        big.write_text(text[:end] + body * int(args.mb * 1e6 // len(body.encode()) + 1),
                       encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([*cmd, "doctor", str(big)], cwd=root, capture_output=True,
                             text=True, env=env)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        from papernotes.notes.repair.mojibake_repair import repair_text

        c0 = time.process_time()
        repair_text(big.read_text(encoding="utf-8"))
        floor = time.process_time() - c0
        print(json.dumps({
            "mb": round(big.stat().st_size / 1e6, 2),
            "lines_printed": len((out.stdout + out.stderr).splitlines()),
            "doctor_wall_s": round(wall, 2),
            "doctor_cpu_s": round(after.ru_utime + after.ru_stime
                                  - before.ru_utime - before.ru_stime, 2),
            "baseline_repair_cpu_s": round(floor, 2),
            "load_1min": os.getloadavg()[0],
        }))


if __name__ == "__main__":
    main()
