"""Every registered method's CPU demo, as users run it: the `demo` profile of repro/<method>.yaml.

    python bench/bench_methods_cpu.py [--methods mocov2,byol] [--set train.epochs=3 ...]
                                      [--out bench/results/methods_cpu.md] [--no-write]

Each method's spec is read through papernotes.repro.spec.model (profile over base over the engine's
defaults), then pretrained and evaluated by the engine itself (papernotes.ssl.pretrain.run, no
MLflow). A method without a spec, or a spec without a `demo` profile, is reported and skipped.
Results are kept per method in bench/results/methods_cpu.json, so a run over some methods
updates their rows and keeps the others; the markdown table is rendered from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ("method", "wall time (s)", "CPU time (s)", "linear top-1", "random-init top-1", "gain",
           "kNN top-1", "online probe", "epochs x steps", "load (1 min) before / after", "date (UTC)")


def demo_config(method: str, overrides: list[str]):
    """The demo profile's PretrainConfig, or a string saying why there is none."""
    from papernotes.core.errors import PapernotesError
    from papernotes.repro.spec.find import spec_path
    from papernotes.repro.spec.model import load_spec, resolve
    from papernotes.repro.spec.overrides import parse_overrides

    try:
        path = spec_path(method)
    except PapernotesError:
        return f"no spec repro/{method}.yaml"
    spec, doc = load_spec(path)
    if "demo" not in spec.profiles:
        return f"repro/{method}.yaml has no demo profile"
    return resolve(spec, doc, path, "demo", parse_overrides(overrides) if overrides else None).config


def measure(cfg, quiet: bool) -> dict:
    import dataclasses

    from papernotes.ssl.events import PrintSink
    from papernotes.ssl.pretrain import run

    phases: dict[str, float] = {}
    printer = None if quiet else PrintSink()

    def sink(event: dict) -> None:  # when each phase starts (pretrain, knn_eval, linear_eval, ...)
        if event["event"] == "phase":
            phases.setdefault(event["name"], time.perf_counter())
        if printer is not None:
            printer(event)

    load0, cpu0 = os.getloadavg()[0], os.times()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"bench-{cfg.method}-") as tmp:  # its checkpoint goes with it
        result = run(dataclasses.replace(cfg, out_dir=tmp), sink)
    wall = time.perf_counter() - t0
    cpu1 = os.times()
    if result["status"] != "finished":
        raise SystemExit(f"{cfg.method}: {result['status']}")
    top1, rand = result["eval/linear_top1"], result.get("eval/random_init_linear_top1")
    spe = cfg.data.num_train // cfg.train.batch_size if cfg.data.name == "synthetic" else None
    return {
        "method": cfg.method, "wall_time_s": round(wall, 1),
        "pretrain_wall_s": round(phases.get("knn_eval", t0 + wall) - phases.get("pretrain", t0), 1),
        "cpu_time_s": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 1),
        "linear_top1": top1, "random_init_top1": rand,
        "gain": None if rand is None else round(top1 - rand, 2),
        "knn_top1": result.get("eval/knn_top1"), "online_probe_top1": result.get("monitor/online_top1"),
        "epochs": cfg.train.epochs, "steps_per_epoch": spe,
        "load_before": round(load0, 2), "load_after": round(os.getloadavg()[0], 2),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "threads": cfg.train.threads, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "torch": __import__("torch").__version__,
    }


def _fmt(value, suffix: str = "") -> str:
    return "" if value is None else (f"{value:.1f}{suffix}" if isinstance(value, float) else f"{value}{suffix}")


def render(rows: dict) -> str:
    lines = ["# CPU demo of every method (`demo` profile of repro/<method>.yaml)", "",
             "Command: `python bench/bench_methods_cpu.py` (engine only, no MLflow). Wall time is",
             "pretraining + kNN + the linear evaluation and the random-init baseline; CPU time is the",
             "process's user + system seconds over the same span. The machine is shared: the load",
             "average is recorded with every row, and wall times under load are not the idle figure.", "",
             *sorted({f"Machine: {r['machine']}, torch {r.get('torch', '?')}, {r['threads']} torch threads."
                      for r in rows.values() if "machine" in r}), "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for method, r in rows.items():
        if "skipped" in r:
            lines.append("| " + " | ".join([method, f"skipped: {r['skipped']}"] + [""] * (len(COLUMNS) - 2)) + " |")
            continue
        steps = f"{r['epochs']} x {r['steps_per_epoch']}" if r.get("steps_per_epoch") else str(r["epochs"])
        gain = "" if r["gain"] is None else f"{r['gain']:+.1f}"
        lines.append("| " + " | ".join([
            method, _fmt(r["wall_time_s"]), _fmt(r["cpu_time_s"]), _fmt(r["linear_top1"], "%"),
            _fmt(r["random_init_top1"], "%"), gain, _fmt(r["knn_top1"], "%"),
            _fmt(r["online_probe_top1"], "%"), steps,
            f"{r['load_before']} / {r['load_after']}", r["date"]]) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--methods", help="comma-separated method names (default: every registered method)")
    ap.add_argument("--set", action="append", default=[], help="override for every method, e.g. train.epochs=3")
    ap.add_argument("--out", default=str(RESULTS / "methods_cpu.md"), help="markdown table (JSON beside it)")
    ap.add_argument("--no-write", action="store_true", help="print only (tuning runs)")
    ap.add_argument("--quiet", action="store_true", help="no per-step progress lines")
    args = ap.parse_args()
    from papernotes.ssl.methods import methods
    METHODS = list(methods())  # noqa: N806

    names = args.methods.split(",") if args.methods else METHODS
    out = Path(args.out)
    store = out.with_suffix(".json")
    rows = json.loads(store.read_text()) if store.is_file() else {}
    for name in names:
        if name not in METHODS:
            raise SystemExit(f"unknown method {name!r} (registered: {', '.join(METHODS)})")
        cfg = demo_config(name, args.set)
        if isinstance(cfg, str):
            print(f"{name}: skipped ({cfg})")
            rows[name] = {"skipped": cfg}
        else:
            rows[name] = measure(cfg, args.quiet)
            if args.set:
                rows[name]["overrides"] = args.set
            print(json.dumps(rows[name]))
        if not args.no_write:  # after every method: a long run keeps what it measured
            ordered = {m: rows[m] for m in [*METHODS, *rows] if m in rows}
            store.write_text(json.dumps(ordered, indent=2) + "\n")
            out.write_text(render(ordered))


if __name__ == "__main__":
    main()
