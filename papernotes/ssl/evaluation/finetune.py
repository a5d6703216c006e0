"""End-to-end fine-tuning of a copy of an encoder plus a linear head, after MAE main_finetune.py
(the protocol MAE reports first; any encoder of `build_encoder` works).

Kept from the official recipe: AdamW (torch's default betas), lr = finetune_lr * B/256, weight
decay on weights only (not on 1-d parameters and the class token: timm's `no_weight_decay`),
per-step linear warm-up then half-cycle cosine down to min_lr 1e-6 (util/lr_sched.py),
cross-entropy with label smoothing 0.1 (--smoothing), RandomResizedCrop(0.08, 1) bicubic + flip
for training and the plain images for testing, the head's weight N(0, 2e-5) (trunc_normal_ std
2e-5) and zero bias, and for ViTs optional layer-wise lr decay (util/lr_decay.py
`param_groups_lrd`: block i gets decay^(depth + 1 - (i + 1)), the patch embedding and class token
decay^(depth + 1), the final norm and the head 1).
Left out (heavy regularisers of the 100-epoch ImageNet recipe): RandAugment, mixup, cutmix,
random erasing, drop path; the official global-pool `fc_norm` (the encoder's own pooling is kept).

The encoder passed in is never modified (its checksum is compared); the copy is trained in fp32,
or bf16 autocast when asked, in one process (under DDP every rank fine-tunes the same copy).
"""

from __future__ import annotations

import copy
import math
from contextlib import nullcontext
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from papernotes.ssl.config import EvalConfig
from papernotes.ssl.evaluation.linear import EncoderChanged, _topk, checksum, encode
from papernotes.ssl.views.augment import crop_flip_view

LABEL_SMOOTHING = 0.1  # main_finetune.py --smoothing
MIN_LR = 1e-6  # main_finetune.py --min_lr
CROP_MIN_AREA = 0.08  # timm create_transform's RandomResizedCrop scale (0.08, 1.0)
HEAD_INIT_STD = 2e-5  # main_finetune.py trunc_normal_(model.head.weight, std=2e-5)


class Classifier(nn.Module):
    def __init__(self, encoder: nn.Module, dim: int, num_classes: int) -> None:
        super().__init__()
        self.encoder, self.head = encoder, nn.Linear(dim, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.encoder(x))


def param_groups(model: Classifier, cfg: EvalConfig) -> list[dict]:
    """Weights decayed, 1-d parameters and the class token not; per-layer `lr_scale` for ViTs."""
    decay = cfg.finetune_layer_decay
    enc = model.encoder
    groups: dict[tuple[float, bool], list] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        no_wd = p.ndim <= 1 or name == "encoder.cls_token"
        scale = 1.0
        if decay != 1.0 and name.startswith("encoder."):
            layers = enc.depth + 1  # util/lr_decay.py num_layers = len(blocks) + 1
            scale = decay ** (layers - enc.layer_id(name[len("encoder."):]))
        groups.setdefault((scale, no_wd), []).append(p)
    return [{"params": ps, "lr_scale": scale, "weight_decay": 0.0 if no_wd else cfg.finetune_weight_decay}
            for (scale, no_wd), ps in groups.items()]


def lr_at(step: int, total: int, warmup: int, peak: float) -> float:
    """util/lr_sched.py adjust_learning_rate, per step: linear warm-up, then half-cycle cosine to MIN_LR."""
    if step < warmup:
        return peak * step / warmup
    progress = (step - warmup) / max(total - warmup, 1)
    return MIN_LR + (peak - MIN_LR) * 0.5 * (1.0 + math.cos(math.pi * progress))


def finetune(encoder: nn.Module, train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor,
             num_classes: int, cfg: EvalConfig, image_size: int, to_input: Callable[[Tensor], Tensor],
             seed: int = 0, bf16: bool = False, progress: Callable[[int, int], None] | None = None) -> dict:
    """Fine-tune a copy of `encoder` with a new linear head; top-1/top-5 (percent) on the test split."""
    before = checksum(encoder)
    dev = train_x.device
    g = torch.Generator(device=dev).manual_seed(seed)
    dim = encode(encoder, train_x[:2], to_input).shape[1]
    model = Classifier(copy.deepcopy(encoder), dim, num_classes).to(dev)
    with torch.no_grad():
        w = torch.randn(model.head.weight.shape, generator=torch.Generator().manual_seed(seed)) * HEAD_INIT_STD
        model.head.weight.copy_(w.to(dev))
        model.head.bias.zero_()
    for p in model.parameters():
        p.requires_grad_(True)
    n = train_x.shape[0]
    bs = min(cfg.finetune_batch_size, n)
    spe = n // bs
    total, warmup = cfg.finetune_epochs * spe, int(round(cfg.finetune_warmup_epochs * spe))
    peak = cfg.finetune_lr * bs / 256
    opt = torch.optim.AdamW(param_groups(model, cfg), lr=peak)
    amp = torch.autocast(dev.type, dtype=torch.bfloat16) if bf16 else nullcontext()
    model.train()
    step = 0
    for _ in range(cfg.finetune_epochs):
        perm = torch.randperm(n, generator=g, device=dev)
        for i in range(spe):
            lr = lr_at(step, total, warmup, peak)
            for group in opt.param_groups:
                group["lr"] = lr * group["lr_scale"]
            idx = perm[i * bs:(i + 1) * bs]
            x = crop_flip_view(train_x[idx].float().div_(255.0), image_size, CROP_MIN_AREA, g)
            with amp:
                logits = model(x)
            loss = F.cross_entropy(logits.float(), train_y[idx], label_smoothing=LABEL_SMOOTHING)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if progress:
                progress(step, total)
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(to_input(test_x[s:s + 512])).float() for s in range(0, test_x.shape[0], 512)])
    if checksum(encoder) != before:
        raise EncoderChanged("fine-tuning changed the pretrained encoder's weights")
    return {"top1": _topk(logits, test_y, 1), "top5": _topk(logits, test_y, 5), "epochs": cfg.finetune_epochs,
            "steps": total, "lr": peak, "batch_size": bs}
