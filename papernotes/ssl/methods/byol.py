"""BYOL (Grill et al. 2020), deepmind-research `byol/byol_experiment.py`: an online network
(encoder, projector, predictor) regresses the projection of a target network, the EMA of the
online encoder and projector, with the symmetric normalised-MSE loss; the EMA rate follows
`utils/schedules.py target_ema`: tau_k = 1 - (1 - base) (cos(pi k / K) + 1) / 2, from base to 1.

Each view goes through the networks on its own (as the official forward), so BN statistics are
per view. The views are BYOL's asymmetric pair (blur 1.0 / 0.1, solarise 0.0 / 0.2): set in the
spec's `aug` section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from papernotes.ssl.config.option_checks import positive, unit
from papernotes.ssl.losses import byol_loss
from papernotes.ssl.methods.base import Method, fp32, frozen_copy, momentum_update
from papernotes.ssl.models.heads import mlp_bn
from papernotes.ssl.registry import register_method


def target_ema(step: int, total_steps: int, base: float) -> float:
    """byol/utils/schedules.py target_ema: 1 - (1 - base) * (cos(pi * step / total) + 1) / 2."""
    return 1.0 - (1.0 - base) * (math.cos(math.pi * step / total_steps) + 1.0) / 2.0


@dataclass(frozen=True)
class BYOLOptions:
    """deepmind-research byol/configs/byol.py."""
    base_momentum: float = 0.996  # base_target_ema; cosine-scheduled to 1 over training
    proj_hidden: int = 4096  # projector MLP hidden size
    proj_dim: int = 256  # projector output size
    pred_hidden: int = 4096  # predictor MLP hidden size

    def check(self, cfg: Any) -> None:
        unit("byol.base_momentum", self.base_momentum)
        for name in ("proj_hidden", "proj_dim", "pred_hidden"):
            positive(f"byol.{name}", getattr(self, name))


@register_method("byol", options=BYOLOptions)
class BYOL(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        mc = self.options
        # networks.py MLP: the output layer has no bias
        self.projector = mlp_bn(self.feature_dim, mc.proj_hidden, mc.proj_dim, out_bias=False)
        self.predictor = mlp_bn(mc.proj_dim, mc.pred_hidden, mc.proj_dim, out_bias=False)
        self.target_encoder = frozen_copy(self.encoder)
        self.target_projector = frozen_copy(self.projector)

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        hs = [self.encoder(v) for v in views]  # 2 x [n, feature_dim]
        preds = [self.predictor(self.projector(h)) for h in hs]  # 2 x [n, proj_dim]
        with torch.no_grad():
            targets = [self.target_projector(self.target_encoder(v)) for v in views]  # 2 x [n, proj_dim]
        with fp32(preds[0]):
            loss = byol_loss(preds[0].float(), targets[1].float()) + byol_loss(preds[1].float(), targets[0].float())
        return loss, torch.cat(hs)

    @torch.no_grad()
    def after_step(self, step: int) -> None:
        tau = target_ema(step, self.total_steps, self.options.base_momentum)
        momentum_update(self.encoder, self.target_encoder, tau)
        momentum_update(self.projector, self.target_projector, tau)
