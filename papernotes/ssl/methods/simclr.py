"""SimCLR (Chen et al. 2020), google-research/simclr: f(.) then the projection head g(.), NT-Xent
over the two views with negatives from every rank (objective.py `add_contrastive_loss`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from papernotes.ssl.config.option_checks import positive
from papernotes.ssl.losses import nt_xent_loss
from papernotes.ssl.methods.base import Method, fp32
from papernotes.ssl.models.encoders import ProjectionHead
from papernotes.ssl.registry import register_method


@dataclass(frozen=True)
class SimCLROptions:
    """google-research/simclr run.py flags."""
    temperature: float = 0.5  # --temperature (0.5 CIFAR-10, 0.1 ImageNet)

    def check(self, cfg: Any) -> None:
        positive("simclr.temperature", self.temperature)


@register_method("simclr", options=SimCLROptions)
class SimCLR(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        self.head = ProjectionHead(self.feature_dim, cfg.model.proj_depth, cfg.model.proj_dim)

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        h = self.encoder(torch.cat(views))  # h: [2n, feature_dim]
        z = self.head(h)  # z: [2n, proj_dim]
        with fp32(z):
            z1, z2 = z.float().chunk(2)
            loss = nt_xent_loss(z1, z2, self.options.temperature, gather=True)  # negatives from every rank under DDP
        return loss, h
