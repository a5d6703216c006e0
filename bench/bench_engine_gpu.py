"""GPU throughput of the engine, with its own deps only (torch, torchvision, numpy).

    python bench/bench_engine_gpu.py [--out engine_gpu.json]      # on a GPU machine
    python bench/bench_engine_gpu.py --smoke                       # tiny sizes, runs on CPU (tested)

1. ResNet-18, CIFAR size (32x32, CIFAR stem), batch 512, bf16: pairs/s end to end (batched device
   augmentation included) vs a baseline of the same model and step fed by a torchvision DataLoader
   with per-image PIL transforms (the public-reimplementation way), in the same run; ratio, MFU
   against 989 TFLOP/s bf16 (FLOPs counted with FlopCounterMode), peak memory.
2. ResNet-50 at 224 on synthetic JPEGs decoded on the GPU (torchvision.io.decode_jpeg): pairs/s, MFU.
3. Every registered method (papernotes.ssl.methods.methods()) through the real training loop
   (`pretrain.run`, max_steps) at the CIFAR size, ResNet-18, batch 512, bf16, with its default
   options: pairs/s from the loop's own `step` events, MFU of one step (views, forward, backward;
   FLOPs counted), and the share of a step that building the views takes.
4. With --profiles bench/gpu_profiles: the same for each spec's own CIFAR-10 profile (its batch,
   architecture, crops and heads), resolved here beforehand by bench/export_gpu_profiles.py.

    python bench/bench_engine_gpu.py --profiles bench/gpu_profiles --out engine_gpu.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from contextlib import nullcontext

import torch
from gpu_method_configs import method_configs, profile_configs  # bench/, beside this file
from torch.utils.flop_counter import FlopCounterMode

from papernotes.ssl.config import AugConfig, ModelConfig, OptimConfig
from papernotes.ssl.data.synthetic import generate
from papernotes.ssl.losses import nt_xent_loss
from papernotes.ssl.models.encoders import ProjectionHead, build_encoder
from papernotes.ssl.optim.optimizers import build_optimizer
from papernotes.ssl.views.augment import two_views

PEAK_BF16 = 989e12  # H100 and H200 SXM, dense bf16 (the datasheets' 1,979 TFLOP/s is with sparsity)


class _EncoderHead(torch.nn.Module):
    """f(.) then g(.) as SimCLR's (the method seam is measured in section 3)."""

    def __init__(self, encoder, head) -> None:
        super().__init__()
        self.encoder, self.head = encoder, head

    def forward(self, x):
        h = self.encoder(x)
        return h, self.head(h)


def _model(arch: str, size: int, cifar_stem: bool, device, channels_last: bool):
    enc, dim = build_encoder(ModelConfig(arch=arch, cifar_stem=cifar_stem), size)
    model = _EncoderHead(enc, ProjectionHead(dim, 2, 128)).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model, build_optimizer(OptimConfig(), model, 512)


def _sync(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _train_step(model, opt, v1, v2, amp, mem):
    with amp:
        _, z = model(torch.cat([v1, v2]).contiguous(memory_format=mem))
    loss = nt_xent_loss(*z.float().chunk(2), 0.5)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


def _flops_per_step(model, batch, size, device, amp) -> float:
    x = torch.rand(2 * batch, 3, size, size, device=device)
    counter = FlopCounterMode(display=False)
    with counter, amp:
        _, z = model(x)
        z.float().square().mean().backward()
    model.zero_grad(set_to_none=True)
    return float(counter.get_total_flops())


def _timed(step_fn, warmup: int, steps: int, device) -> float:
    for _ in range(warmup):
        step_fn()
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        step_fn()
    _sync(device)
    return time.perf_counter() - t0


def bench_cifar(device, batch: int, steps: int, warmup: int, workers: int, amp, mem) -> dict:
    x, _ = generate(max(4 * batch, 2048), 10, seed=0)
    data = x.to(device)
    model, opt = _model("resnet18", 32, True, device, mem == torch.channels_last)
    aug, gen = AugConfig(color_strength=0.5), torch.Generator(device=device).manual_seed(0)

    def ours():
        idx = torch.randint(0, data.shape[0], (batch,), device=device, generator=gen)
        v1, v2 = two_views(data.index_select(0, idx), aug, 32, generator=gen)
        _train_step(model, opt, v1, v2, amp, mem)

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    t_ours = _timed(ours, warmup, steps, device)
    peak_mem = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    loader_iter = _pil_loader(x, batch, workers)

    def baseline():
        v1, v2 = next(loader_iter)
        _train_step(model, opt, v1.to(device, non_blocking=True), v2.to(device, non_blocking=True), amp, mem)

    t_base = _timed(baseline, warmup, steps, device)
    flops = _flops_per_step(model, batch, 32, device, amp)
    ours_pps, base_pps = steps * batch / t_ours, steps * batch / t_base
    return {"model": "resnet18 cifar-stem 32x32", "batch": batch, "pairs_per_s": ours_pps,
            "baseline_pil_dataloader_pairs_per_s": base_pps, "speedup_vs_baseline": ours_pps / base_pps,
            "flops_per_step": flops, "mfu": flops * steps / t_ours / PEAK_BF16, "peak_mem_gib": peak_mem,
            "baseline_workers": workers}


def _pil_loader(x: torch.Tensor, batch: int, workers: int):
    """The usual public reimplementation: a PIL dataset, per-image torchvision transforms, two views."""
    import torchvision.transforms as T
    from torch.utils.data import DataLoader, Dataset

    tf = T.Compose([T.RandomResizedCrop(32), T.RandomHorizontalFlip(),
                    T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8), T.RandomGrayscale(0.2), T.ToTensor()])

    class Pairs(Dataset):
        def __init__(self):
            self.images = [T.functional.to_pil_image(img) for img in x]

        def __len__(self):
            return len(self.images)

        def __getitem__(self, i):
            return tf(self.images[i]), tf(self.images[i])

    loader = DataLoader(Pairs(), batch_size=batch, shuffle=True, drop_last=True, num_workers=workers,
                        pin_memory=torch.cuda.is_available(), persistent_workers=workers > 0)
    while True:
        yield from loader


def bench_imagenet(device, batch: int, size: int, steps: int, warmup: int, amp, mem) -> dict:
    import torchvision.io as tio

    small, _ = generate(batch, 10, seed=1, size=64)
    big = torch.nn.functional.interpolate(small.float(), size=(size + size // 7,) * 2, mode="bilinear")
    jpegs = [tio.encode_jpeg(img.round().clamp(0, 255).to(torch.uint8), quality=90) for img in big]
    model, opt = _model("resnet50", size, False, device, mem == torch.channels_last)
    aug, gen = AugConfig(color_strength=1.0, blur=True), torch.Generator(device=device).manual_seed(0)
    decode_dev = "cuda" if device.type == "cuda" else "cpu"

    def step():
        images = torch.stack(tio.decode_jpeg(jpegs, device=decode_dev)).to(device)
        v1, v2 = two_views(images, aug, size, generator=gen)
        _train_step(model, opt, v1, v2, amp, mem)

    t = _timed(step, warmup, steps, device)
    flops = _flops_per_step(model, batch, size, device, amp)
    return {"model": f"resnet50 {size}x{size}, JPEG decode + augmentation included", "batch": batch,
            "pairs_per_s": steps * batch / t, "flops_per_step": flops, "mfu": flops * steps / t / PEAK_BF16}


def bench_methods(configs: dict[str, dict], device, steps: int, warmup: int, into: dict | None = None,
                  after=None) -> dict:
    """Each config through pretrain.run; pairs/s (images/s for one-view methods: the loop's
    `step` events count images) of the timed window, MFU, the share of a step the views take.

    Each run's folder (its checkpoint: 1.1 GB for Barlow Twins' 8192-wide projector) is removed
    as soon as the run is measured, so the section never holds more than one on disk. Results
    go into `into` (a new dict by default), and `after()` is called after each."""
    import tempfile

    from papernotes.ssl.config import config_from_dict
    from papernotes.ssl.methods import build_method
    from papernotes.ssl.pretrain import run

    gpu = device.type == "cuda"
    out = {} if into is None else into
    for name, raw in configs.items():
        raw = {**raw, "out_dir": "unset",
               "train": {**raw["train"], "device": device.type, "max_steps": warmup + steps,
                         "log_every": warmup + steps if warmup == 0 else warmup,
                         "precision": "bf16" if gpu else "fp32", "channels_last": gpu, "threads": None},
               "eval": {**raw.get("eval", {}), "monitor_every": 0, "random_init_baseline": False,
                        "linear_epochs": 1, "finetune_epochs": 0}}
        try:
            cfg = config_from_dict(raw)
        except ValueError as exc:
            out[name] = {"error": str(exc)}
            if after is not None:
                after()
            continue
        batch, side = cfg.train.batch_size, cfg.data.image_size
        events: list[dict] = []
        with tempfile.TemporaryDirectory(prefix="bench-method-") as tmp:
            run(dataclasses.replace(cfg, out_dir=tmp), events.append)
        rate = [e for e in events if e["event"] == "step"][-1]["metrics"]["train/pairs_per_s"]
        torch.manual_seed(0)
        method = build_method(cfg).to(device)
        method.configure(warmup + steps, 1)
        images = torch.randint(0, 256, (batch, 3, side, side), dtype=torch.uint8, device=device)
        gen = torch.Generator(device=device).manual_seed(0)
        amp = torch.autocast(device.type, dtype=torch.bfloat16) if gpu else nullcontext()
        counter = FlopCounterMode(display=False)
        with counter:
            views = method.views(images, gen)
            with amp:
                loss, _ = method(views, 0)
            loss.backward()
        t_views = _timed(lambda m=method, x=images, g=gen: m.views(x, g), 1, steps, device) / steps
        out[name] = {"pairs_per_s": rate, "batch": batch, "arch": cfg.model.arch,
                     "flops_per_step": float(counter.get_total_flops()),
                     "mfu": float(counter.get_total_flops()) * rate / batch / PEAK_BF16,
                     "views_s_per_step": t_views, "views_share_of_step": t_views * rate / batch,
                     "views": [list(v.shape) for v in views]}
        del method, views, loss
        if gpu:
            torch.cuda.empty_cache()
        if after is not None:
            after()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (CPU test of the script)")
    ap.add_argument("--out", help="write results as JSON here")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--workers", type=int, default=min(8, os.cpu_count() or 1))
    ap.add_argument("--profiles", help="also time these engine configs (bench/gpu_profiles: the "
                    "specs' CIFAR-10 profiles, from bench/export_gpu_profiles.py)")
    args = ap.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() and not args.smoke else "cpu")
    gpu = device.type == "cuda"
    if gpu:
        torch.backends.cudnn.benchmark = True
    amp = torch.autocast("cuda", dtype=torch.bfloat16) if gpu else nullcontext()
    mem = torch.channels_last if gpu else torch.contiguous_format
    res = {"device": torch.cuda.get_device_name(device) if gpu else "cpu (smoke)",
           "torch": torch.__version__, "mfu_peak_bf16_flops": PEAK_BF16}

    def save() -> None:  # after every section and every method: a run cut short keeps its figures
        if args.out:
            with open(args.out, "w", encoding="utf-8") as fh:
                json.dump(res, fh, indent=2)

    if args.smoke:
        res["cifar"] = bench_cifar(device, 16, 2, 1, 0, amp, mem)
        save()
        res["imagenet"] = bench_imagenet(device, 4, 64, 1, 1, amp, mem)
    else:
        res["cifar"] = bench_cifar(device, 512, args.steps, 5, args.workers, amp, mem)
        save()
        res["imagenet"] = bench_imagenet(device, 256, 224, max(args.steps // 2, 5), 3, amp, mem)
    save()
    steps, warmup = (2, 0) if args.smoke else (args.steps, 5)
    runs = {"methods": method_configs(device, 16, 4) if args.smoke else method_configs(device, 512, 64)}
    if args.profiles:
        runs["profiles"] = profile_configs(args.profiles, smoke=args.smoke)
    for key, configs in runs.items():  # saved after each method
        bench_methods(configs, device, steps, warmup, into=res.setdefault(key, {}), after=save)
    print(json.dumps(res, indent=2))

if __name__ == "__main__":
    main()
