"""Barlow Twins (Zbontar et al. 2021), facebookresearch/barlowtwins `main.py`: backbone, the
wide projector (8192-8192-8192), and the cross-correlation of the batch-normalised embeddings of
the two views (statistics of the global batch) pushed to the identity, with lambda 0.0051 on the
off-diagonal. The matrix is divided by the global batch size and summed across ranks, as the
official code does (`c.div_(batch_size); torch.distributed.all_reduce(c)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.config.option_checks import positive
from papernotes.ssl.losses import barlow_twins_loss
from papernotes.ssl.methods.base import Method, fp32
from papernotes.ssl.models.heads import barlow_projector
from papernotes.ssl.registry import register_method


@dataclass(frozen=True)
class BarlowTwinsOptions:
    """facebookresearch/barlowtwins main.py flags."""
    lambd: float = 0.0051  # --lambd: weight of the off-diagonal term
    projector: str = "8192-8192-8192"  # --projector: widths of the MLP after the 2048-d feature
    scale_loss: float = 1.0  # 1/32 in an early version (main.py --scale-loss), 1 in the final code

    def check(self, cfg: Any) -> None:
        positive("barlowtwins.lambd", self.lambd)
        positive("barlowtwins.scale_loss", self.scale_loss)
        try:
            widths = [int(w) for w in self.projector.split("-")]
        except ValueError:
            widths = []
        if not widths or min(widths) <= 0:
            raise ConfigError("barlowtwins.projector", f"expected widths like '8192-8192-8192', "
                                                       f"got {self.projector!r}")


@register_method("barlowtwins", options=BarlowTwinsOptions)
class BarlowTwins(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        widths = [int(w) for w in self.options.projector.split("-")]
        self.projector = barlow_projector(self.feature_dim, widths)

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        h1, h2 = (self.encoder(v) for v in views)  # [n, feature_dim] each
        z1, z2 = self.projector(h1), self.projector(h2)  # [n, widths[-1]] each
        mc = self.options
        with fp32(z1):
            loss = mc.scale_loss * barlow_twins_loss(z1.float(), z2.float(), mc.lambd, gather=True)
        return loss, torch.cat([h1, h2])
