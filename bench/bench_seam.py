"""The method seam costs SimCLR nothing: DEMO_CONFIG trained by an older commit and by this tree,
alternately in one run, compared bitwise (final metrics and every weight) and by pairs/s.

    python bench/bench_seam.py --old 704028b [--epochs 30] [--rounds 2] [--out bench/results/seam.json]

The older commit is checked out into a temporary git worktree; each run is a fresh process with
that tree first on PYTHONPATH. pairs/s is the median of the `step` events' train/pairs_per_s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import hashlib, json, statistics, sys, tempfile, time
import torch
from papernotes.ssl.config import config_from_dict, config_to_dict
from papernotes.ssl.config.presets import DEMO_CONFIG
from papernotes.ssl.pretrain import run
raw = config_to_dict(DEMO_CONFIG)
raw["train"]["epochs"] = int(sys.argv[1])
events = []
with tempfile.TemporaryDirectory(prefix="bench-seam-") as tmp:  # the checkpoint goes with it
    raw["out_dir"] = tmp
    t0 = time.perf_counter()
    result = run(config_from_dict(raw), events.append)
    wall = time.perf_counter() - t0
    end = next(e for e in events if e["event"] == "end")  # it names its checkpoint
    state = torch.load(end["checkpoint"], weights_only=True)["model"]
h = hashlib.sha256()
for k in sorted(state):
    h.update(k.encode()); h.update(state[k].cpu().contiguous().numpy().tobytes())
rates = [e["metrics"]["train/pairs_per_s"] for e in events if e["event"] == "step"][1:]  # first window warms up
print(json.dumps({"metrics": {k: v for k, v in result.items() if k.startswith("eval/")},
                  "weights_sha256": h.hexdigest(), "pairs_per_s": statistics.median(rates), "wall_s": wall}))
"""


def _run(tree: Path, epochs: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, "-c", CHILD, str(epochs)], env=env, cwd=tree, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True, help="the commit before the seam")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-seam-old-") as tmp:
        old = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), args.old], check=True)
        try:
            runs = {"old": [], "new": []}
            for _ in range(args.rounds):
                for name, tree in (("old", old), ("new", ROOT)):
                    runs[name].append(_run(tree, args.epochs))
                    print(name, json.dumps(runs[name][-1]), flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=True)
    same = all(r == runs["old"][0]["metrics"] for r in [x["metrics"] for x in runs["old"] + runs["new"]])
    same_w = len({x["weights_sha256"] for x in runs["old"] + runs["new"]}) == 1
    summary = {"old": args.old, "epochs": args.epochs, "rounds": args.rounds,
               "metrics_bitwise_equal": same, "weights_bitwise_equal": same_w,
               "pairs_per_s_old": [round(x["pairs_per_s"], 1) for x in runs["old"]],
               "pairs_per_s_new": [round(x["pairs_per_s"], 1) for x in runs["new"]],
               "ratio_new_over_old": round(statistics.median(x["pairs_per_s"] for x in runs["new"])
                                           / statistics.median(x["pairs_per_s"] for x in runs["old"]), 3),
               "load_avg": os.getloadavg(), "runs": runs}
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
