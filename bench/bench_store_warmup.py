"""`papernotes repro` on a new workspace: time to the first training step, before and after the
store warm-up (issue 10), in one run.

    python bench/bench_store_warmup.py [--before main] [--rounds 2]

For each code tree (`--before`, a git ref exported with `git archive`, and this working tree),
alternating, `--rounds` times: `papernotes init` in a fresh folder (no MLflow store), then

    papernotes repro simclr --profile demo --device cpu --set train.epochs=1 --set train.log_every=1

(`log_every=1` only makes step 1 emit its event; the work is the same). The command runs in a
child Python that marks, in wall-clock time, the engine's first `phase: pretrain` event (the
training loop starts) and its first `step` event (step 1 done), seen by the progress sink. Also
reported: when the MLflow run opened (its start time), and the command's whole wall time. Load
average before and after each command. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ARGS = ["repro", "simclr", "--profile", "demo", "--device", "cpu", "--set", "train.epochs=1",
        "--set", "train.log_every=1"]

# The child: mark the first pretrain phase and the first step as the progress sink sees them.
SHIM = """
import sys, time
import papernotes
from papernotes.repro.run import progress
print("BENCH tree " + papernotes.__file__, flush=True)
seen = set()
call = progress.PlainProgress.__call__
def marking(self, event):
    kind = event.get("event")
    key = "pretrain" if kind == "phase" and event.get("name") == "pretrain" else kind
    if key in ("pretrain", "step") and key not in seen:
        seen.add(key)
        print(f"BENCH {key} {time.time():.3f}", flush=True)
    call(self, event)
progress.PlainProgress.__call__ = marking
from papernotes.cli.app import app
sys.argv = ["papernotes", *sys.argv[1:]]
app()
"""


def export(ref: str, dest: Path) -> Path:
    """The tree of `ref` (papernotes and repro specs) in `dest`, via `git archive`."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def one_run(tree: Path, folder: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("MLFLOW_TRACKING_URI", None)
    subprocess.run([sys.executable, "-m", "papernotes", "init", str(folder)], env=env, check=True,
                   capture_output=True)
    assert not (folder / "mlflow.db").exists(), "the workspace must have no store yet"
    load_before = os.getloadavg()
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", SHIM, *ARGS], cwd=folder, env=env,
                         capture_output=True, text=True)
    wall = time.time() - t0
    if out.returncode != 0:
        raise SystemExit(f"{tree}: repro failed\n{out.stdout}\n{out.stderr}")
    marks = dict(line.split()[1:3] for line in out.stdout.splitlines() if line.startswith("BENCH "))
    assert marks["tree"].startswith(str(tree)), (marks["tree"], tree)
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{folder / 'mlflow.db'}")
    (run,) = client.search_runs([e.experiment_id for e in client.search_experiments()])
    return {"to_pretrain_s": round(float(marks["pretrain"]) - t0, 1),
            "to_first_step_s": round(float(marks["step"]) - t0, 1),
            "run_opened_s": round(run.info.start_time / 1000 - t0, 1),
            "wall_s": round(wall, 1), "status": run.info.status,
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", default="main", help="git ref of the code before (default main)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench_store_warmup-"))
    try:
        trees = {"before": export(args.before, scratch / "before"), "after": ROOT}
        result: dict = {"before": args.before, "cores": len(os.sched_getaffinity(0)),
                        "command": "papernotes " + " ".join(ARGS), "runs": []}
        for r in range(args.rounds):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for name in order:
                row = one_run(trees[name], scratch / f"ws-{name}-{r}")
                result["runs"].append({"tree": name, "round": r, **row})
                print(json.dumps(result["runs"][-1]), file=sys.stderr, flush=True)
        for name in trees:
            rows = [x for x in result["runs"] if x["tree"] == name]
            result[f"{name}_to_first_step_s"] = [x["to_first_step_s"] for x in rows]
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
