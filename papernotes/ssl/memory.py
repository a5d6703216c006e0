"""Per-rank memory estimates of a config, before anything is read or allocated (what
`papernotes repro --dry-run` prints). Nothing here depends on the data set's size for an image
folder (streamed): the file index, about 100 bytes an image, is named apart.

Device: parameters and buffers of the whole method (momentum/teacher copies included), the
gradients of the trainable ones, the optimiser's state (one momentum for LARS/SGD, two moments
for AdamW), DDP's gradient buckets (one more copy under DDP), the activations the backward keeps
(every leaf module's output of the encoder, on the meta device: shapes only, no compute, per
view of the method's crop plan, in bf16 when autocast is on) and the step's views. In-memory data
sets add their tensors, which do grow with the set (CIFAR/STL fit by design).

Host: the engine process (torch, the CUDA context: a measured-order constant), a checkpoint's
CPU copy of the state, and for a streamed folder each DataLoader worker: its process, the
decoded full-resolution images of the batch it works on (500x375, ImageNet's typical size) and
the prefetched batches of crops.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

GiB = 2**30
ENGINE_HOST = 2.5 * GiB  # torch + CUDA context + Python, one rank (order of magnitude, measured on H100/H200)
WORKER_HOST = 0.35 * GiB  # one forked DataLoader worker's own pages (torch imported, copy-on-write)
TYPICAL_DECODED = 500 * 375 * 3  # bytes of one decoded ImageNet-size image
INDEX_BYTES_PER_IMAGE = 100
IN_MEMORY_IMAGES = {"cifar10": (60_000, 32), "cifar100": (60_000, 32), "stl10": (113_000, 96)}


@dataclass(frozen=True)
class MemoryEstimate:
    device: dict[str, float]  # bytes by part
    host: dict[str, float]
    streamed: bool

    @staticmethod
    def _fmt(parts: dict[str, float]) -> str:
        total = sum(parts.values()) / GiB
        return f"{total:.1f} GiB (" + ", ".join(f"{k} {v / GiB:.2f}" for k, v in parts.items()) + ")"

    def lines(self, device: str) -> list[str]:
        where = "GPU" if device == "cuda" else "device (CPU)"
        tail = ("does not grow with the data set; the file index adds ~100 B an image"
                if self.streamed else "in-memory data set included")
        return [f"memory per rank (estimate): {where} {self._fmt(self.device)}",
                f"memory per rank (estimate): host {self._fmt(self.host)}; {tail}"]


def _activation_elements(encoder: torch.nn.Module, size: int) -> int:
    """Sum of every leaf module's output elements for one image of side `size` (meta device)."""
    total = 0

    def hook(_m, _i, out):
        nonlocal total
        if isinstance(out, torch.Tensor):
            total += out.numel()

    leaves = [m for m in encoder.modules() if not list(m.children()) and not getattr(m, "inplace", False)]
    handles = [m.register_forward_hook(hook) for m in leaves]  # an in-place ReLU's output is its input
    try:
        with torch.no_grad():
            encoder.eval()(torch.empty(1, 3, size, size, device="meta"))  # eval: BN takes one image
    finally:
        for h in handles:
            h.remove()
    return total


def estimate(cfg, world_size: int, device: str) -> MemoryEstimate:
    from papernotes.ssl.methods import build_method

    with torch.device("meta"):
        method = build_method(cfg)
    local = cfg.train.batch_size // max(world_size, 1)
    params = sum(p.numel() * p.element_size() for p in method.parameters())
    buffers = sum(b.numel() * b.element_size() for b in method.buffers())
    trainable = sum(p.numel() * p.element_size() for p in method.parameters() if p.requires_grad)
    moments = 2 if cfg.optim.name == "adamw" else 1
    bf16 = cfg.train.precision == "bf16" or (cfg.train.precision == "auto" and device == "cuda")
    crops = method.crop_plan()
    act = sum(_activation_elements(method.encoder, c.size) for c in crops) * local * (2 if bf16 else 4)
    views = sum(3 * c.size * c.size for c in crops) * local * (1 + 4 * 3)  # uint8 crops + float views in flight
    dev = {"parameters": params + buffers, "gradients": trainable, "optimizer": moments * trainable,
           "activations": act, "views": views}
    if world_size > 1:
        dev["ddp buckets"] = trainable
    streamed = cfg.data.name == "imagefolder"
    host = {"engine": ENGINE_HOST, "checkpoint copy": params + buffers + moments * trainable}
    if streamed:
        batch_crops = sum(3 * c.size * c.size for c in crops) * local
        host["loader"] = cfg.data.workers * (WORKER_HOST + local * TYPICAL_DECODED + 4 * batch_crops)
        if device == "cuda":
            host["pinned batches"] = 4 * batch_crops
    else:
        n, side = IN_MEMORY_IMAGES.get(cfg.data.name, (cfg.data.num_train + cfg.data.num_test, cfg.data.image_size))
        dev["data set"] = host["data set"] = n * 3 * side * side
    return MemoryEstimate(dev, host, streamed)
