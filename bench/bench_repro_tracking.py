"""MLflow overhead of `papernotes repro`'s tracker: opening a run on a fresh SQLite store, the
cost of one `step` event in the training loop, and closing the run (flush).

    python bench/bench_repro_tracking.py [--events 100]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from papernotes.repro.tracking.sink import Tracker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-repro-"))
    t0 = time.perf_counter()
    tracker = Tracker(f"sqlite:///{root / 'mlflow.db'}", "bench", (root / "artifacts").as_uri())
    tracker.start(params={f"p{i}": i for i in range(60)}, tags={"bench": "1"}, run_name="bench")
    t1 = time.perf_counter()
    for step in range(args.events):
        tracker({"event": "step", "step": step, "epoch": step / 10,
                 "metrics": {"train/loss": 1.0, "train/lr": 0.1, "train/pairs_per_s": 5.0}})
    t2 = time.perf_counter()
    tracker.finish("FINISHED")
    t3 = time.perf_counter()
    print(f"open run on a new SQLite store: {t1 - t0:.2f} s")
    print(f"one step event (3 metrics): {(t2 - t1) / args.events * 1000:.1f} ms")
    print(f"finish (flush + end run): {t3 - t2:.2f} s")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
