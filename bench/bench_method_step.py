"""Seconds per training step of any spec's profile on this CPU: one step is the method's views
of a batch, its forward (student and teacher), backward, an optimiser step and its after-step
update, on random uint8 images of the profile's size. No data loading, no evaluation: the cost
of the step alone, to say whether a profile fits a time budget before training it.

    python bench/bench_method_step.py SPEC [--profile demo] [--set model.arch=vit_tiny ...]
                                           [--threads 1] [--steps 4]

Prints one line per --set group: the median s/step of the steps after the first (warm-up) and
what --steps x the profile's own number of steps would cost.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--profile", default="demo")
    ap.add_argument("--set", action="append", default=[], help="override, e.g. model.arch=vit_tiny")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=4, help="timed steps (one more to warm up)")
    args = ap.parse_args()
    import torch

    from papernotes.repro.spec.find import spec_path
    from papernotes.repro.spec.model import load_spec, resolve
    from papernotes.repro.spec.overrides import parse_overrides
    from papernotes.ssl.methods import build_method

    torch.set_num_threads(args.threads)
    path = spec_path(args.spec)
    spec, doc = load_spec(path)
    cfg = resolve(spec, doc, path, args.profile, parse_overrides(args.set) if args.set else None).config
    n, side = cfg.train.batch_size, cfg.data.image_size
    steps_per_epoch = cfg.data.num_train // n
    total = steps_per_epoch * cfg.train.epochs
    method = build_method(cfg).train()
    method.configure(total, steps_per_epoch)
    opt = torch.optim.SGD([p for p in method.parameters() if p.requires_grad], lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (n, 3, side, side), dtype=torch.uint8, generator=gen)
    times = []
    for step in range(args.steps + 1):
        t0 = time.perf_counter()
        loss, _ = method.forward(method.views(images, gen), step)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        method.after_backward(step)
        opt.step()
        method.after_step(step)
        times.append(time.perf_counter() - t0)
    per_step = statistics.median(times[1:])
    sets = " ".join(args.set) or "(as written)"
    print(f"{args.spec} {args.profile} {sets}: {per_step:.2f} s/step on {args.threads} thread(s) "
          f"(batch {n}, {side} px); its {total} steps: {per_step * total / 60:.1f} min")


if __name__ == "__main__":
    main()
