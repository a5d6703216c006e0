"""The online linear probe (as the official code): a linear classifier on the detached encoder
features, trained alongside pretraining with its own optimiser; its loss is simply added to the
contrastive loss, and since the features are detached it never shapes the encoder."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class OnlineProbe(nn.Module):
    def __init__(self, in_dim: int, num_classes: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_dim, num_classes)

    def forward(self, h: Tensor) -> Tensor:
        return self.linear(h.detach().float())

    def loss(self, h: Tensor, labels: Tensor) -> Tensor:
        return F.cross_entropy(self(h), labels)

    @torch.no_grad()
    def top1(self, feats: Tensor, labels: Tensor) -> float:
        return (self.linear(feats.float()).argmax(dim=1) == labels).float().mean().item() * 100.0


def probe_optimizer(probe: OnlineProbe, lr: float) -> torch.optim.Optimizer:
    """SGD with Nesterov momentum, no weight decay; its lr follows the pretraining schedule's shape."""
    return torch.optim.SGD(probe.parameters(), lr=lr, momentum=0.9, nesterov=True)
