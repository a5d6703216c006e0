"""The streamed image-folder path (issue 21, section 1): memory against data set size, and
decode + crop throughput against the DataLoader + PIL + torchvision.transforms baseline.

    python bench/bench_stream.py rss         # peak RSS of a 3-step run, 2,000 vs 20,000 JPEGs
    python bench/bench_stream.py throughput  # images/s per core: decode + two 224 crops
    python bench/bench_stream.py gpu         # (a GPU) nvJPEG + crops, and an R50 step fed by the loader

The folders are generated 500x375 JPEGs (ImageNet's typical size; 64 distinct images, written
again under new names: memory and throughput do not depend on the pixels' variety). `rss`
runs the engine (`python -m papernotes.ssl.pretrain`, 3 steps, 2 DataLoader workers) in a child
process and samples its resident memory plus its workers' unique memory (USS: the pages they
share with it counted once) every 20 ms, until the
final evaluation starts (whose features [N, D] grow with N, as in every official code). The
baseline for `throughput` is what the official repositories run: torchvision's ImageFolder
loading (PIL.Image.open + convert("RGB")) and transforms.RandomResizedCrop(224) +
RandomHorizontalFlip, twice per image, in one process with one thread. JSON on stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_folder(root: Path, n: int, classes: int = 10, w: int = 500, h: int = 375) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    blobs = []
    for _ in range(64):  # smooth colour fields + texture: JPEGs of a natural photo's size (~40-70 KB)
        yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
        base = np.stack([np.sin(xx * rng.uniform(2, 9) + rng.uniform(0, 6)) for _ in range(3)], -1)
        arr = (127 + 90 * base + rng.normal(0, 18, (h, w, 3))).clip(0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, "JPEG", quality=90)
        blobs.append(buf.getvalue())
    for split, count in (("train", n), ("val", classes * 4)):
        for i in range(count):
            folder = root / split / f"n{i % classes:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i:07d}.JPEG").write_bytes(blobs[i % 64])
    return root


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        # the engine's RSS + its workers' USS: the pages a forked worker shares with its parent
        # (torch's libraries) counted once, and nothing depends on other users of those libraries
        return proc.memory_info().rss + sum(p.memory_full_info().uss for p in proc.children(recursive=True))
    except psutil.Error:
        return 0


def peak_rss(folder: Path, work: Path, image_size: int = 224) -> dict:
    cfg = {"method": "simclr", "data": {"name": "imagefolder", "root": str(folder), "image_size": image_size,
                                        "workers": 2},
           "model": {"arch": "resnet18", "base_channels": 16, "cifar_stem": False},
           "train": {"epochs": 1, "batch_size": 32, "device": "cpu", "max_steps": 3, "log_every": 1,
                     "channels_last": False, "threads": 1},
           "eval": {"monitor_every": 0}, "out_dir": str(work / "out")}
    (work / "cfg.json").write_text(json.dumps(cfg))
    events = work / "events.jsonl"
    events.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "papernotes.ssl.pretrain", "--config", str(work / "cfg.json"),
                             "--events", str(events), "--quiet"], cwd=ROOT, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1"))
    peak, steps = 0, 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        text = events.read_text() if events.exists() else ""
        steps = text.count('"event": "step"')
        if '"knn_eval"' in text:  # pretraining done: the 3 steps are what is measured
            break
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    proc.kill()
    err = proc.communicate()[1].decode()
    if steps < 3:
        raise SystemExit(f"the run did not make 3 steps: {err[-2000:]}")
    return {"peak_rss_mb": round(peak / 2**20, 1), "steps": steps, "wall_s": round(wall, 1)}


def cmd_rss(args) -> dict:
    out = {}
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for n in args.sizes:
            folder = make_folder(Path(tmp) / f"f{n}", n)
            work = Path(tmp) / f"w{n}"
            work.mkdir()
            out[str(n)] = peak_rss(folder, work)
    small, large = (out[str(n)]["peak_rss_mb"] for n in (min(args.sizes), max(args.sizes)))
    out["ratio"] = round(large / small, 3)
    out["goal"] = "ratio <= 1.15"
    return out


def _ours(folder: Path, n_images: int, size: int) -> float:
    import torch

    from papernotes.ssl.config import DataConfig
    from papernotes.ssl.data.datasets import load_dataset
    from papernotes.ssl.data.loader import IndexSampler
    from papernotes.ssl.views.multicrop import Crop

    data = load_dataset(DataConfig(name="imagefolder", root=str(folder), image_size=size, workers=0))
    batch = 32
    sampler = IndexSampler(data.num_pretrain, batch, 0, 1, 0, "cpu")
    source = data.train_source(sampler, [Crop(size, (0.08, 1.0))] * 2, 0, 0, torch.device("cpu"))
    steps = n_images // batch
    t0 = time.perf_counter()
    for _ in source.batches(0, steps):
        pass
    return steps * batch / (time.perf_counter() - t0)


def _baseline(folder: Path, n_images: int, size: int) -> float:
    import torch
    import torchvision
    from torchvision import transforms

    crop = transforms.Compose([transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip(),
                               transforms.PILToTensor()])

    def two(img):
        return crop(img), crop(img)

    ds = torchvision.datasets.ImageFolder(str(folder / "train"), transform=two)
    loader = torch.utils.data.DataLoader(ds, batch_size=32, shuffle=True, num_workers=0, drop_last=True)
    t0, seen = time.perf_counter(), 0
    for (a, _b), _ in loader:
        seen += a.shape[0]
        if seen >= n_images:
            break
    return seen / (time.perf_counter() - t0)


def cmd_throughput(args) -> dict:
    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = make_folder(Path(tmp) / "f", args.images)
        _ours(folder, 64, 224), _baseline(folder, 64, 224)  # warm the page cache and the imports
        rows = {"streamed (decode_image + RandomResizedCrop from full res, x2)": [],
                "DataLoader + PIL + torchvision.transforms (x2)": []}
        for _ in range(args.repeats):  # interleaved: the machine's load hits both alike
            rows["streamed (decode_image + RandomResizedCrop from full res, x2)"].append(_ours(folder, args.images, 224))
            rows["DataLoader + PIL + torchvision.transforms (x2)"].append(_baseline(folder, args.images, 224))
    out = {k: {"images_per_s_per_core": round(float(np.median(v)), 1), "runs": [round(x, 1) for x in v]}
           for k, v in rows.items()}
    ours, base = (out[k]["images_per_s_per_core"] for k in rows)
    out["speedup"] = round(ours / base, 2)
    return out


def cmd_gpu(args) -> dict:
    """nvJPEG decode + two 224 crops per image (images/s), and a ResNet-50 SimCLR step at batch 256
    fed by the streamed loader against the same step on a batch already on the device."""
    import torch

    from papernotes.ssl.config import config_from_dict
    from papernotes.ssl.data.datasets import load_dataset
    from papernotes.ssl.data.loader import IndexSampler
    from papernotes.ssl.methods import build_method
    from papernotes.ssl.optim.optimizers import build_optimizer

    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    batch, steps, size = (8, 3, 64) if args.smoke else (256, 20, 224)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = make_folder(Path(tmp) / "f", batch * (steps + 2))
        cfg = config_from_dict({"method": "simclr", "data": {"name": "imagefolder", "root": str(folder),
                                "image_size": size, "workers": args.workers},
                                "model": {"arch": "resnet18" if args.smoke else "resnet50", "cifar_stem": False},
                                "train": {"batch_size": batch, "device": dev.type}})
        data = load_dataset(cfg.data).to(dev)
        sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

        def make_source(cpu_decode: bool):
            src = data.train_source(IndexSampler(data.num_pretrain, batch, 0, 1, 0, "cpu"),
                                    build_method(cfg).crop_plan(), 0, 0, dev)
            if cpu_decode:  # decode + crop in the CPU workers even with a GPU (the other choice)
                src.gpu_decode, src.dataset.decode_here = False, True
            return src

        loader_ips = {}
        for name, cpu_decode in (("nvjpeg_in_main_process", False), ("cpu_workers", True)):
            it = make_source(cpu_decode).batches(0, steps + 2)
            next(it)
            sync()
            t0 = time.perf_counter()
            for _ in range(steps):
                next(it)
            sync()
            loader_ips[name] = round(steps * batch / (time.perf_counter() - t0), 1)
        source = make_source(max(loader_ips, key=loader_ips.get) == "cpu_workers")
        method = build_method(cfg).to(dev).to(memory_format=torch.channels_last)
        opt = build_optimizer(cfg.optim, method, batch)
        gen = torch.Generator(device=dev)
        amp = torch.autocast(dev.type, dtype=torch.bfloat16)

        def step(x):
            views = [v.contiguous(memory_format=torch.channels_last) for v in method.views(x, gen)]
            with amp:
                loss, _ = method(views, 0)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

        fixed, _ = next(source.batches(0, 1))
        for feed in ("resident", "streamed"):
            it = source.batches(0, steps + 2)
            step(fixed if feed == "resident" else next(it)[0])
            sync()
            t0 = time.perf_counter()
            for _ in range(steps):
                step(fixed if feed == "resident" else next(it)[0])
            sync()
            ms = (time.perf_counter() - t0) / steps * 1000
            if feed == "resident":
                resident = ms
    return {"device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu (smoke)",
            "loader_decode_and_two_crops_images_per_s": loader_ips, "workers": args.workers,
            "step_fed_by": max(loader_ips, key=loader_ips.get),
            "r50_step_ms_batch_resident": round(resident, 1), "r50_step_ms_streamed": round(ms, 1),
            "loader_overhead": round(ms / resident - 1, 3), "goal": "loader_overhead <= 0.10"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=["rss", "throughput", "gpu"])
    p.add_argument("--sizes", type=int, nargs=2, default=[2000, 20000])
    p.add_argument("--images", type=int, default=512, help="throughput: images per timed run")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workers", type=int, default=8, help="gpu: DataLoader workers reading the JPEG bytes")
    p.add_argument("--smoke", action="store_true", help="gpu: tiny sizes (checks the script on a CPU)")
    p.add_argument("--tmp", default=None, help="where the generated folders go (default: the system's)")
    p.add_argument("--out", help="also write the JSON here")
    args = p.parse_args()
    result = {"what": args.what, "machine": f"{os.cpu_count()} cores", **globals()[f"cmd_{args.what}"](args)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
