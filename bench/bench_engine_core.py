"""Engine-core speed sanity figures: batched SimCLR augmentation (views/s) and the NT-Xent loss.

    python bench/bench_engine_core.py [--device cpu|cuda] [--batch 256] [--side 32] [--runs 9]

Views/s: `two_views` on a uint8 batch of N side x side images (two views per image, CIFAR
settings: colour strength 0.5, no blur; and ImageNet settings at 224 with blur when asked).
Median of --runs timed calls after a warm-up. Printed and written to
bench/results/engine-core.md (CPU rows; run with --device cuda on a GPU machine to add a row).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

import torch

from papernotes.ssl.config import AugConfig
from papernotes.ssl.losses import nt_xent_loss
from papernotes.ssl.views.augment import two_views

RESULTS = Path(__file__).resolve().parent / "results" / "engine-core.md"


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def median_s(fn, device, runs: int) -> float:
    fn()
    _sync(device)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--side", type=int, default=32)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    g = torch.Generator(device=dev).manual_seed(0)
    imgs = torch.randint(0, 256, (args.batch, 3, args.side, args.side), dtype=torch.uint8,
                         generator=g, device=dev)
    cfg = AugConfig(color_strength=0.5, blur=False)
    t_aug = median_s(lambda: two_views(imgs, cfg, args.side, g), dev, args.runs)
    views_s = 2 * args.batch / t_aug
    z1 = torch.randn(args.batch, 128, device=dev, generator=g, requires_grad=True)
    z2 = torch.randn(args.batch, 128, device=dev, generator=g, requires_grad=True)
    t_loss = median_s(lambda: nt_xent_loss(z1, z2, 0.5).backward(), dev, args.runs)
    rows = [
        f"| two_views, {args.batch} x {args.side}x{args.side} uint8, s=0.5, no blur | "
        f"{views_s:,.0f} views/s ({t_aug * 1e3:.1f} ms per call) |",
        f"| nt_xent_loss fwd+bwd, N={args.batch}, D=128 | {t_loss * 1e3:.2f} ms |",
    ]
    threads = torch.get_num_threads()
    head = (f"\n## Engine core ({dt.date.today().isoformat()}, {platform.machine()} {args.device}, "
            f"{threads} torch threads, torch {torch.__version__}, "
            f"1-min load average {os.getloadavg()[0]:.1f} on the shared machine)\n\n"
            f"`python bench/bench_engine_core.py --device {args.device} --batch {args.batch} "
            f"--side {args.side}{f' --threads {args.threads}' if args.threads else ''}`\n\n"
            "| what | figure |\n|---|---|\n")
    text = head + "\n".join(rows) + "\n"
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
