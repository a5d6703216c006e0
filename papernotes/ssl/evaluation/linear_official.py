"""The official linear evaluation protocol (MoCo main_lincls.py, DINO eval_linear.py, MAE
main_linprobe.py; SimCLR's linear eval the same in TF): the encoder frozen in eval mode, a linear
classifier trained on the features of a fresh RandomResizedCrop(scale 0.08-1) + horizontal flip
of every training image, every epoch, with SGD (momentum 0.9, cosine lr, the profile's lr, batch
and weight decay), then scored on the eval transform (Resize 256 + CenterCrop 224 for an image
folder; the image itself for the in-memory sets). With `linear_bn`, MAE's BatchNorm1d(affine=
False) sits in front. Under DDP each rank trains on its share of each batch (the same
IndexSampler as pretraining) and the classifier's gradients are averaged, as DDP would.

For ViTs with `eval.linear_last_blocks` n > 1 the features are the class tokens of the last n
blocks concatenated (eval_linear.py --n_last_blocks 4 for ViT-S).
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from papernotes.ssl import distributed
from papernotes.ssl.data.loader import IndexSampler, TensorSource
from papernotes.ssl.evaluation.linear import EncoderChanged, checksum, encode
from papernotes.ssl.views.augment import crop_flip_view
from papernotes.ssl.views.cropped import Cropped
from papernotes.ssl.views.multicrop import Crop

CROP_SCALE = (0.08, 1.0)  # transforms.RandomResizedCrop(224) default, every official lincls
PROTOCOL = "official"


class LastBlocks(nn.Module):
    """A ViT read as eval_linear.py reads it: the last n class tokens, concatenated."""

    def __init__(self, vit: nn.Module, n: int) -> None:
        super().__init__()
        self.vit, self.n = vit, n

    def forward(self, x: Tensor) -> Tensor:
        return self.vit.last_blocks_cls(x, self.n)


def feature_encoder(encoder: nn.Module, last_blocks: int) -> nn.Module:
    return LastBlocks(encoder, last_blocks) if last_blocks > 1 else encoder


def _topk(logits: Tensor, y: Tensor, k: int) -> float:
    k = min(k, logits.shape[1])
    return (logits.topk(k, dim=1).indices == y[:, None]).any(dim=1).float().mean().item() * 100.0


def official_linear_eval(encoder: nn.Module, data, cfg, to_input: Callable[[Tensor], Tensor], seed: int,
                         progress: Callable[[int, int], None] | None = None) -> dict:
    """Top-1/top-5 (percent) of the official protocol; raises EncoderChanged if the encoder moved."""
    ec, size = cfg.eval, cfg.data.image_size
    feats = feature_encoder(encoder, ec.linear_last_blocks)
    dev = next(encoder.parameters()).device
    before = checksum(encoder)
    was_training = encoder.training
    encoder.eval()
    world = torch.distributed.get_world_size() if distributed.is_active() else 1
    rank = torch.distributed.get_rank() if distributed.is_active() else 0
    n = data.train_x.shape[0]
    bs = min(ec.linear_batch_size, n)
    bs -= bs % world
    sampler = IndexSampler(n, bs, rank, world, seed, data.sampler_device(dev))
    crops = [Crop(size, CROP_SCALE)]
    source = (data.train_source(sampler, crops, seed, rank, dev) if getattr(data, "streamed", False)
              else TensorSource(data.train_x, data.train_y, sampler))
    with torch.no_grad():
        dim = feats(to_input(_first(data, size, dev))).shape[1]
    g = torch.Generator().manual_seed(seed)
    linear = nn.Linear(dim, data.num_classes).to(dev)
    with torch.no_grad():  # eval_linear.py / main_lincls.py: weight N(0, 0.01), bias 0
        linear.weight.copy_(torch.randn(linear.weight.shape, generator=g).mul_(0.01).to(dev))
        linear.bias.zero_()
    clf: nn.Module = nn.Sequential(nn.BatchNorm1d(dim, affine=False, eps=1e-6), linear).to(dev) if ec.linear_bn else linear
    opt = torch.optim.SGD(clf.parameters(), lr=ec.linear_lr, momentum=0.9, weight_decay=ec.linear_weight_decay)
    total = ec.linear_epochs * sampler.steps_per_epoch
    aug = torch.Generator(device=dev)
    try:
        for step, (x, y) in enumerate(source.batches(0, total)):
            aug.manual_seed(seed * 1_000_003 + step * 1024 + rank)
            if isinstance(x, Cropped):  # streamed: cut from the full image in the workers, flip here
                v = crop_flip_view(x.as_float(0), size, CROP_SCALE[0], aug, cropped=True)
            else:
                v = crop_flip_view(x.float().div_(255.0), size, CROP_SCALE[0], aug)
            with torch.no_grad():
                f = feats(v).float()
            for group in opt.param_groups:
                group["lr"] = ec.linear_lr * 0.5 * (1 + math.cos(math.pi * step / total))
            loss = F.cross_entropy(clf(f), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if world > 1:
                for p in clf.parameters():
                    p.grad.copy_(distributed.all_reduce_mean(p.grad))
            opt.step()
            if progress and (step + 1) % max(1, total // 50) == 0:
                progress(step + 1, total)
        clf.eval()
        with torch.no_grad():
            logits = clf(encode(feats, data.test_x, to_input))
    finally:
        encoder.train(was_training)
    if checksum(encoder) != before:
        raise EncoderChanged("linear evaluation changed the frozen encoder's weights")
    return {"top1": _topk(logits, data.test_y, 1), "top5": _topk(logits, data.test_y, 5), "feature_dim": dim,
            "steps": total, "batch_size": bs}


def _first(data, size: int, dev) -> Tensor:
    """One evaluation image (for the feature dimension)."""
    if hasattr(data.test_x, "batches"):
        return next(iter(data.test_x.batches(1)))
    return data.test_x[:1]
