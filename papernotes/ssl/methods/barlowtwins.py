"""Barlow Twins (Zbontar et al. 2021), facebookresearch/barlowtwins `main.py`: backbone, the
wide projector (8192-8192-8192), and the cross-correlation of the batch-normalised embeddings of
the two views (statistics of the global batch) pushed to the identity, with lambda 0.0051 on the
off-diagonal. The matrix is divided by the global batch size and summed across ranks, as the
official code does (`c.div_(batch_size); torch.distributed.all_reduce(c)`).
"""

from __future__ import annotations

import torch
from torch import Tensor

from papernotes.ssl.losses import barlow_twins_loss
from papernotes.ssl.methods.base import Method, fp32
from papernotes.ssl.models.heads import barlow_projector


class BarlowTwins(Method):
    name = "barlowtwins"

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        widths = [int(w) for w in cfg.method_cfg.projector.split("-")]
        self.projector = barlow_projector(self.feature_dim, widths)

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        h1, h2 = (self.encoder(v) for v in views)  # [n, feature_dim] each
        z1, z2 = self.projector(h1), self.projector(h2)  # [n, widths[-1]] each
        mc = self.cfg.method_cfg
        with fp32(z1):
            loss = mc.scale_loss * barlow_twins_loss(z1.float(), z2.float(), mc.lambd, gather=True)
        return loss, torch.cat([h1, h2])
