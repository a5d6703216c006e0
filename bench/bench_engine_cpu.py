"""CPU demo benchmark: pretraining + linear evaluation of DEMO_CONFIG on the embedded data set.

    python bench/bench_engine_cpu.py [--out bench/results/engine_cpu.json] [--set train.epochs=3 ...]

Prints wall time, the raw-pixel linear probe top-1, the random-init encoder's and SimCLR's.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", help="write the results as JSON here")
    ap.add_argument("--set", action="append", default=[], help="override, e.g. train.epochs=3 (JSON value)")
    args = ap.parse_args()
    import torch

    from papernotes.ssl.config import config_from_dict, config_to_dict
    from papernotes.ssl.config.presets import DEMO_CONFIG
    from papernotes.ssl.data.datasets import load_dataset
    from papernotes.ssl.evaluation.linear import linear_probe
    from papernotes.ssl.events import PrintSink
    from papernotes.ssl.pretrain import run

    raw = config_to_dict(DEMO_CONFIG)
    raw["out_dir"] = "unset"
    for item in args.set:
        key, value = item.split("=", 1)
        section, field = key.split(".")
        raw[section][field] = json.loads(value)
    cfg = config_from_dict(raw)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:  # its checkpoint goes with it
        result = run(dataclasses.replace(cfg, out_dir=tmp), PrintSink())
    wall = time.perf_counter() - t0
    data = load_dataset(cfg.data)
    flat = lambda x: x.flatten(1).float() / 255  # noqa: E731
    torch.manual_seed(0)
    pixels = linear_probe(flat(data.train_x), data.train_y, flat(data.test_x), data.test_y, data.num_classes, cfg.eval)
    out = {"wall_time_s": round(wall, 1), "load_avg_1min_before": load0, "load_avg_1min_after": os.getloadavg()[0],
           "raw_pixels_linear_top1": pixels["top1"],
           "random_init_linear_top1": result["eval/random_init_linear_top1"],
           "simclr_linear_top1": result["eval/linear_top1"], "simclr_knn_top1": result["eval/knn_top1"],
           "gain_over_random_init": result["eval/linear_top1"] - result["eval/random_init_linear_top1"],
           "config": dataclasses.asdict(cfg)}
    print(json.dumps({k: v for k, v in out.items() if k != "config"}, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
