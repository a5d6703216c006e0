"""The method seam (after moco-v3's builder.py): one nn.Module per method that owns everything in
which methods differ, so the loop in `train.py` names none of them.

A method owns
- its networks: `self.encoder` (the backbone the evaluations read) and whatever else it needs
  (heads, predictor, momentum/teacher copies, prototypes), plus buffers (queue and its pointer,
  centre). All of it is in `state_dict()`, so a checkpoint holds every piece of method state;
- its views: `views(images, generator) -> list[Tensor]`, built on the images' device from the
  per-step generator (a pure function of (seed, rank, step), so a resumed run draws the same);
- its loss: `forward(views, step) -> (loss, features)`, where `features` is the encoder output
  of the views the online probe learns from ([V*n, feature_dim], labels repeated V times);
- what happens around the optimiser step: `after_backward(step)` (e.g. frozen prototypes' grads
  dropped) and `after_step(step)` (EMA of a target network, enqueue, normalise prototypes), both
  called on the unwrapped module on every rank.

`configure(total_steps, steps_per_epoch)` tells the method the length of training before the
first step, for its schedules (EMA rate, teacher temperature).
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
from torch import Tensor, nn

from papernotes.ssl.models.encoders import build_encoder
from papernotes.ssl.views.augment import two_views


class Method(nn.Module):
    """Base class: a ResNet (or other) encoder from `cfg.model` and two views from `cfg.aug`.

    `name` and `Options` (its frozen options dataclass) are set by `@register_method`;
    `self.options` is the config's instance of it (the method's section, typed and checked)."""

    name: str = ""
    Options: type | None = None

    def __init__(self, cfg) -> None:
        super().__init__()
        self.cfg = cfg  # a PretrainConfig (frozen; not part of the state)
        self.options = cfg.method_cfg
        self.encoder, self.feature_dim = build_encoder(cfg.model, cfg.data.image_size)
        self.total_steps, self.steps_per_epoch = 1, 1

    def configure(self, total_steps: int, steps_per_epoch: int) -> None:
        self.total_steps, self.steps_per_epoch = max(total_steps, 1), max(steps_per_epoch, 1)

    def views(self, images: Tensor, generator: torch.Generator | None) -> list[Tensor]:
        """uint8 [n, 3, H, W] -> the views of one step (default: two, as SimCLR)."""
        return two_views(images, self.cfg.aug, self.cfg.data.image_size, generator)

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def after_backward(self, step: int) -> None:
        """Between backward and the optimiser step (gradients are final, all-reduced)."""

    @torch.no_grad()
    def after_step(self, step: int) -> None:
        """After the optimiser step: momentum/EMA updates, queues, normalisation."""

    def eval_encoder(self) -> nn.Module:
        """The backbone the kNN monitor and the linear evaluation read (the online encoder)."""
        return self.encoder


@contextmanager
def fp32(x: Tensor):
    """Losses in float32 even inside a bf16 autocast region (the softmax wants full precision)."""
    with torch.autocast(x.device.type, enabled=False):
        yield


def momentum_update(online: nn.Module, target: nn.Module, m: float) -> None:
    """target <- m * target + (1 - m) * online, parameter by parameter (builder.py
    `_momentum_update_key_encoder`, BYOL's `target_ema`). Buffers (BN running statistics) are
    not averaged: as in both official codes, the target keeps those of its own forward passes."""
    with torch.no_grad():
        for p_o, p_t in zip(online.parameters(), target.parameters()):
            p_t.mul_(m).add_(p_o.detach(), alpha=1.0 - m)


def frozen_copy(module: nn.Module) -> nn.Module:
    """A copy with the same weights and no gradients (momentum encoder, EMA target, teacher)."""
    import copy

    twin = copy.deepcopy(module)
    for p in twin.parameters():
        p.requires_grad_(False)
    return twin
