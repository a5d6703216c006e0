"""`papernotes idea run` on the demo workspace: wall time of a verdict, and what reuse saves.

    python bench/bench_idea_run.py [--seeds 2] [--parallel K] [--folder bench/out/idea_run]

1. `papernotes demo` in a fresh folder (the demo workspace: its run is seed 0 of the baseline);
2. patch 1: `--set aug.color_strength=0.25 --expect "eval/linear_top1 <= -1"`, then
   `papernotes idea run simclr 1 --seeds N --profile demo --device cpu` (timed);
3. patch 2: `--set aug.crop_min_area=0.5 --expect "eval/linear_top1 <= -1"`, run the same way:
   its baseline arms are all reused (timed);
4. the arms' engine wall times (`time/wall_s` of each MLflow arm run, and the demo run's) give
   what the reused baseline runs would have cost.

Prints one JSON object (and the verdict lines of the note).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from papernotes.repro.launch.layout import EVENTS_GLOB
from papernotes.repro.tracking import tags

HERE = Path(__file__).resolve().parent


def _pn() -> list[str]:
    script = Path(sys.executable).with_name("papernotes")
    return [str(script)] if script.exists() else [sys.executable, "-m", "papernotes"]


def _run(cwd: Path, *args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run([*_pn(), *args], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return wall, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--parallel", type=int, default=None, help="default: idea run's own (as many as fit)")
    ap.add_argument("--folder", type=Path, default=HERE / "out" / "idea_run")
    args = ap.parse_args()
    if args.folder.exists():
        shutil.rmtree(args.folder)
    args.folder.mkdir(parents=True)
    ws = args.folder / "demo-vault"
    ws.mkdir()
    result = {"seeds": args.seeds, "parallel": args.parallel, "load_at_start": os.getloadavg(),
              "cores": len(os.sched_getaffinity(0))}
    result["demo_s"], _ = _run(ws, "demo")
    _run(ws, "idea", "point", "simclr", "colour distortion is key")
    patches = [("weaker colour jitter", "aug.color_strength=0.25"),
               ("larger crops", "aug.crop_min_area=0.5")]
    common = ["--seeds", str(args.seeds), "--profile", "demo", "--device", "cpu"]
    if args.parallel:
        common += ["--parallel", str(args.parallel)]
    for i, (text, change) in enumerate(patches, start=1):
        _run(ws, "idea", "add", "simclr", text, "--point", "1", "--kind", "augmentation",
             "--repro", "simclr", "--profile", "demo", "--set", change,
             "--expect", "eval/linear_top1 <= -1", "--story", "augmentation")
        wall, out = _run(ws, "idea", "run", "simclr", str(i), *common)
        counts = re.search(r"(\d+) arm\(s\) trained, (\d+) reused", out)
        verdict = next(line for line in out.splitlines() if line.startswith(f"simclr#{i}:"))
        result[f"patch{i}"] = {"set": change, "wall_s": round(wall, 1), "trained": int(counts[1]),
                               "reused": int(counts[2]), "verdict": verdict}
    _run(ws, "idea", "story", "simclr", "augmentation")
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp = client.get_experiment_by_name("simclr")
    arm_wall = {}
    for run in client.search_runs([exp.experiment_id]):
        t = run.data.tags
        if tags.CONFIG_HASH in t and tags.PATCH not in t:
            label = f"{t.get(tags.ARM, 'repro')} s{t[tags.SEED]}"
            arm_wall[f"{label} {run.info.run_id[:8]}"] = round(run.data.metrics.get("time/wall_s", float("nan")), 1)
    result["arm_engine_wall_s"] = arm_wall
    demo_events = sorted((ws / "runs" / "simclr-demo").glob(EVENTS_GLOB))
    for line in demo_events[0].read_text(encoding="utf-8").splitlines() if demo_events else []:
        event = json.loads(line)
        if event.get("event") == "end":
            result["demo_engine_wall_s"] = round(event["wall_time_s"], 1)
    result["load_at_end"] = os.getloadavg()
    print(json.dumps(result, indent=2, ensure_ascii=False))
    text = (ws / "notes" / "simclr.md").read_text(encoding="utf-8")
    start = text.index("%% papernotes:begin ideas %%")
    print(text[start:text.index("%% papernotes:end ideas %%") + 26])


if __name__ == "__main__":
    main()
