"""CLI benchmarks for the notes half: start-up cost and validation throughput.

    python bench/bench_cli.py [--notes 5000] [--runs 7]

1. `papernotes --help` vs `python -c "import torch"`: median wall time of fresh processes, and
   their ratio (goal < 0.3: the note commands must not pay for torch).
2. Notes validated per second on a generated vault of N notes (goal >= 1,000/s), in-process
   (`validate_vault`) and end to end (`papernotes validate` as a subprocess).

Figures are printed and written to bench/results/notes.md. Scratch files go to bench/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "notes.md"
SCRATCH = HERE / "out" / "bench_cli"


def _papernotes_cmd() -> list[str]:
    script = Path(sys.executable).with_name("papernotes")
    return [str(script)] if script.exists() else [sys.executable, "-m", "papernotes"]


def median_wall(cmd: list[str], runs: int, cwd: Path | None = None) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def make_vault(n: int):
    """A workspace with `n` notes rendered from the templates (catalog SimCLR if present)."""
    from papernotes.atomic import atomic_write_text
    from papernotes.notes.ideas_model import IdeaLog, Patch, Point
    from papernotes.notes.render import render_new
    from papernotes.notes.schema import Metadata, Note
    from papernotes.notes.workspace import init_workspace

    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    ws = init_workspace(SCRATCH / "vault")
    try:
        from papernotes.notes.catalog import card_to_note, load_card

        base = card_to_note(load_card("simclr"), "zh")
    except Exception:  # no catalog yet: a plain note still exercises the parser
        base = Note(key="simclr", meta=Metadata(title="SimCLR", tags=["ssl"]))
    ideas = IdeaLog(points=[Point(id=1, text="two augmented views")],
                    patches=[Patch(id=1, text="stronger colour jitter", point=1)])
    for i in range(n):
        meta = base.meta.model_copy(update={"title": f"{base.meta.title} #{i}",
                                            "tags": [*base.meta.tags, f"batch/b{i % 10}"]})
        note = base.model_copy(update={"key": f"paper-{i:05d}", "meta": meta,
                                       "rating": 1 + i % 5, "ideas": ideas})
        atomic_write_text(ws.note_path(note.key), render_new(note, templates_dir=ws.templates_dir))
    return ws


def bench_validate(ws, runs: int) -> tuple[float, float, int]:
    from papernotes.notes.validation import validate_vault

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        report = validate_vault(ws)
        times.append(time.perf_counter() - t0)
    assert report.ok, [str(p) for p in report.problems[:3]]
    t0 = time.perf_counter()
    subprocess.run([*_papernotes_cmd(), "validate"], cwd=ws.root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cli_s = time.perf_counter() - t0
    return statistics.median(times), cli_s, report.checked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()

    help_s = median_wall([*_papernotes_cmd(), "--help"], args.runs)
    torch_s = median_wall([sys.executable, "-c", "import torch"], args.runs)
    ratio = help_s / torch_s
    print(f"papernotes --help {help_s * 1000:.0f} ms, import torch {torch_s * 1000:.0f} ms, "
          f"ratio {ratio:.2f} (goal < 0.3)")

    t0 = time.perf_counter()
    ws = make_vault(args.notes)
    gen_s = time.perf_counter() - t0
    val_s, cli_s, checked = bench_validate(ws, max(3, args.runs // 2))
    rate, cli_rate = checked / val_s, checked / cli_s
    print(f"generated {checked} notes in {gen_s:.1f} s; validate {rate:,.0f} notes/s in-process, "
          f"{cli_rate:,.0f} notes/s via `papernotes validate` (goal >= 1,000)")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(f"""# Notes CLI benchmarks

- Date: {dt.date.today().isoformat()}; machine: 2-core x86-64 CPU, 24 GiB ({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs visible; shared with other jobs)
- Command: `python bench/bench_cli.py --notes {args.notes} --runs {args.runs}`

| measure | value | goal |
|---|---|---|
| `papernotes --help` (median of {args.runs} fresh processes) | {help_s * 1000:.0f} ms | |
| `python -c "import torch"` (median of {args.runs}) | {torch_s * 1000:.0f} ms | |
| ratio help / import torch | {ratio:.2f} | < 0.3 |
| validate, in-process (`validate_vault`, median) | {rate:,.0f} notes/s ({checked} notes, {val_s:.2f} s) | >= 1,000 |
| validate, end to end (`papernotes validate` subprocess, 1 run) | {cli_rate:,.0f} notes/s ({cli_s:.2f} s) | >= 1,000 |

Notes in the generated vault are rendered by `render_new` from the shipped templates (the catalog's
SimCLR card when present), each with an idea log of one point and one patch.
""", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
