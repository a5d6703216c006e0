"""`build_optimizer`: LARS (the paper's), SGD and AdamW (baselines), all with biases and BN
parameters out of weight decay (and, for LARS, out of trust-ratio adaptation), as
google-research/simclr model_util.py `get_optimizer` (exclude ['batch_normalization', 'bias'])."""

from __future__ import annotations

import torch
from torch import nn

from papernotes.ssl.lars import LARS
from papernotes.ssl.schedule import peak_lr


def param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Two groups: weights (decayed, adapted) and biases/BN/other 1-d params (neither).

    Every bias and every BatchNorm scale/shift is 1-d, every conv/linear weight is not; frozen
    parameters (requires_grad False, e.g. the head's last BN centre) are left out.
    """
    decay, exclude = [], []
    for p in model.parameters():
        if not p.requires_grad:
            continue
        (exclude if p.ndim <= 1 else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay, "lars_exclude": False}]
    if exclude:
        groups.append({"params": exclude, "weight_decay": 0.0, "lars_exclude": True})
    return groups


def build_optimizer(optim, model: nn.Module, batch_size: int) -> torch.optim.Optimizer:
    """`optim`: an OptimConfig. The lr starts at the peak; the training loop sets it per step
    from schedule.lr_at."""
    lr = peak_lr(optim, batch_size)
    groups = param_groups(model, optim.weight_decay)
    if optim.name == "lars":
        return LARS(groups, lr=lr, momentum=optim.momentum, weight_decay=optim.weight_decay,
                    eta=optim.eta)
    for g in groups:  # torch's own optimisers do not know the flag
        g.pop("lars_exclude")
    if optim.name == "sgd":
        # model_util.py: the 'momentum' optimiser is Nesterov momentum
        return torch.optim.SGD(groups, lr=lr, momentum=optim.momentum, nesterov=optim.momentum > 0)
    if optim.name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    raise ValueError(f"unknown optimiser {optim.name!r}")
