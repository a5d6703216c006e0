"""CPU ranks share the cores: a 2-process demo run against a 1-process one, same work.

    python bench/bench_cpu_ranks.py [--epochs 4] [--rounds 1]

Runs `papernotes repro simclr --profile demo --device cpu --set train.epochs=E` with
`--nproc-per-node 1` and `--nproc-per-node 2` (alternating, `--rounds` times each) in a scratch
workspace whose MLflow store is made beforehand, and reports for each: the command's wall time,
the MLflow run's duration (training and evaluation) and the CPU seconds of the process tree,
and the ratio 2-process / 1-process (goal <= 1.25). Before
the cores were split (issue 10) each rank ran the spec's 2 threads on 2 cores: 153 s vs 43 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRATCH = HERE / "out" / "bench_cpu_ranks"


def _cmd() -> list[str]:
    script = Path(sys.executable).with_name("papernotes")
    return [str(script)] if script.exists() else [sys.executable, "-m", "papernotes"]


def _run_seconds(ws: Path) -> float:
    """Start to end of the newest MLflow run (training and evaluation, without the launch)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.get_experiment_by_name("simclr")
    run = client.search_runs([exp.experiment_id], order_by=["attributes.start_time DESC"],
                             max_results=1)[0]
    return (run.info.end_time - run.info.start_time) / 1000


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    pn = _cmd()
    ws = SCRATCH / "ws"
    if not ws.exists():
        SCRATCH.mkdir(parents=True, exist_ok=True)
        subprocess.run([*pn, "init", str(ws)], check=True, stdout=subprocess.DEVNULL)
        from mlflow.tracking import MlflowClient

        MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}").search_experiments()
    results: dict[int, list[tuple[float, float, float]]] = {1: [], 2: []}
    load = os.getloadavg()
    for _ in range(args.rounds):
        for nproc in (1, 2):
            t0, c0 = time.perf_counter(), _cpu_seconds()
            subprocess.run([*pn, "repro", "simclr", "--profile", "demo", "--device", "cpu",
                            "--nproc-per-node", str(nproc), "--set", f"train.epochs={args.epochs}"],
                           cwd=ws, check=True, stdout=subprocess.DEVNULL)
            wall, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
            results[nproc].append((wall, _run_seconds(ws), cpu))
            print(f"nproc {nproc}: {wall:.1f} s wall, run {results[nproc][-1][1]:.1f} s, "
                  f"{cpu:.1f} CPU-s, load {os.getloadavg()[0]:.1f}", flush=True)
    best = {n: min(results[n]) for n in (1, 2)}
    print(json.dumps({"epochs": args.epochs, "cores": len(os.sched_getaffinity(0)),
                      "load_before": load, "load_after": os.getloadavg(),
                      "nproc1": [round(x, 1) for x in best[1]], "nproc2": [round(x, 1) for x in best[2]],
                      "ratio_wall": round(best[2][0] / best[1][0], 3),
                      "ratio_run": round(best[2][1] / best[1][1], 3)}, indent=2))


if __name__ == "__main__":
    main()
