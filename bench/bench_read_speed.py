"""How fast the read-only commands answer on a store of many runs (issue 22: under 1 s at 1,000).

    python bench/bench_read_speed.py [--runs 1000] [--repeat 5]

Makes (once, kept in bench/out/read_speed/) a workspace whose SQLite MLflow store holds N
FINISHED runs shaped like real ones (the tags, ~60 parameters and ~10 metrics a `repro` run or
an `idea run` arm carries; half of them seeds of one config), a SimCLR note with a patch, then
times fresh processes, median of --repeat:

    papernotes runs                       the newest 20
    papernotes runs simclr                filtered on a tag
    papernotes board                      every FINISHED run, best per spec
    papernotes idea run simclr 1 --dry-run  which arms the store already has

and, as the baseline in the same run, the same reads through MLflow's client (`import mlflow`
plus `search_runs` of every page), which is what those commands did before they read the
SQLite file directly (repro/tracking/store_read.py). Figures go to bench/results/read_speed.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRATCH = HERE / "out" / "read_speed"
RESULTS = HERE / "results" / "read_speed.md"
PATCH = ("idea", "add", "simclr", "weaker colour jitter", "--repro", "simclr", "--profile", "demo",
         "--set", "aug.color_strength=0.25", "--expect", "eval/linear_top1 <= -1")


def papernotes(*args: str) -> list[str]:
    return [sys.executable, "-m", "papernotes", *args]


def make_store(ws: Path, n: int) -> None:
    """N finished runs (batches of MlflowClient calls; minutes for 1,000 on a loaded machine)."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    from papernotes.repro.tracking.client import experiment_id

    uri = f"sqlite:///{ws / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri)
    exp = experiment_id(client, "simclr", None, uri)
    now = int(time.time() * 1000)
    for i in range(n):
        digest = f"{i % 500:064x}"
        run = client.create_run(exp, run_name=f"simclr-demo-{i}", start_time=now - i * 1000,
                                tags={"papernotes.spec": "simclr", "papernotes.profile": "demo",
                                      "papernotes.note": "simclr", "papernotes.overrides": "",
                                      "papernotes.config_hash": digest, "papernotes.seed": str(i % 5),
                                      "dataset.name": "synthetic", "hardware": "cpu"})
        params = [Param(f"section{j // 10}.field{j}", str(j)) for j in range(60)]
        params += [Param("train.epochs", "3"), Param("train.batch_size", "128"),
                   Param("world_size", "1"), Param("model.arch", "resnet18"), Param("data.name", "synthetic")]
        metrics = [Metric(k, 10.0 + (i * 7919 % 1000) / 20.0, now, 10) for k in (
            "eval/linear_top1", "eval/linear_top5", "eval/knn_top1", "eval/random_init_linear_top1",
            "monitor/knn_top1", "monitor/online_top1", "train/loss", "train/lr", "time/wall_s")]
        client.log_batch(run.info.run_id, metrics=metrics, params=params,
                         tags=[RunTag("torch", "2.x")])
        client.set_terminated(run.info.run_id, "FINISHED", end_time=now - i * 1000 + 500)


def make_workspace(n: int) -> Path:
    ws = SCRATCH / f"ws-{n}"
    if (ws / "done").is_file():
        return ws
    import shutil

    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run(papernotes("init", str(ws)), check=True, stdout=subprocess.DEVNULL)
    for args in (("new", "simclr", "--lang", "en"), PATCH):
        subprocess.run(papernotes(*args), cwd=ws, check=True, stdout=subprocess.DEVNULL)
    make_store(ws, n)
    (ws / "done").write_text("ok\n")
    return ws


def wall(cmd: list[str], cwd: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


BASELINE = """
import sys, time
t0 = time.perf_counter()
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
ids = [e.experiment_id for e in c.search_experiments()]
runs, token = [], None
while True:
    page = c.search_runs(ids, max_results=1000, page_token=token)
    runs += page
    token = page.token
    if not token:
        break
print(len(runs), time.perf_counter() - t0)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    ws = make_workspace(args.runs)
    env_cwd = ws
    figures = {
        "papernotes runs": wall(papernotes("runs"), env_cwd, args.repeat),
        "papernotes runs simclr": wall(papernotes("runs", "simclr"), env_cwd, args.repeat),
        "papernotes board": wall(papernotes("board"), env_cwd, args.repeat),
        "papernotes idea run simclr 1 --dry-run": wall(
            papernotes("idea", "run", "simclr", "1", "--dry-run", "--device", "cpu"), env_cwd, args.repeat),
        "baseline: import mlflow + search_runs (all pages)": wall(
            [sys.executable, "-c", BASELINE, f"sqlite:///{ws / 'mlflow.db'}"], env_cwd, args.repeat),
    }
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"## {dt.date.today()} · {args.runs} runs · {platform.machine()} {os.cpu_count()} cores · "
             f"load {load:.1f} · median of {args.repeat}", "",
             "| command | wall s |", "|---|---|"]
    lines += [f"| `{k}` | {v:.2f} |" for k, v in figures.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Read speed on a large store\n\n"
    RESULTS.write_text(old + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
