"""`build_optimizer`: LARS (the paper's), SGD and AdamW (baselines), all with biases and BN
parameters out of weight decay (and, for LARS, out of trust-ratio adaptation), as
google-research/simclr model_util.py `get_optimizer` (exclude ['batch_normalization', 'bias'])."""

from __future__ import annotations

import torch
from torch import nn

from papernotes.ssl.optim.lars import LARS
from papernotes.ssl.optim.schedule import peak_lr


def param_groups(model: nn.Module, weight_decay: float, exclude_bias_bn: bool = True,
                 bias_lr_scale: float = 1.0) -> list[dict]:
    """Two groups: weights (decayed, adapted) and biases/BN/other 1-d params (neither, unless
    `exclude_bias_bn` is False), the second with `lr_scale` = bias_lr_scale (the loop multiplies
    the scheduled lr by a group's lr_scale).

    Every bias and every BatchNorm scale/shift is 1-d, every conv/linear weight is not; frozen
    parameters (requires_grad False: the head's last BN centre, momentum/target copies) are left out.
    """
    decay, exclude = [], []
    for p in model.parameters():
        if not p.requires_grad:
            continue
        (exclude if p.ndim <= 1 else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay, "lars_exclude": False}]
    if exclude:
        groups.append({"params": exclude, "weight_decay": 0.0 if exclude_bias_bn else weight_decay,
                       "lars_exclude": exclude_bias_bn})
        if exclude_bias_bn:  # a weight-decay schedule (optim.weight_decay_end) leaves this group at 0
            groups[-1]["wd_scale"] = 0.0
        if bias_lr_scale != 1.0:
            groups[-1]["lr_scale"] = bias_lr_scale
    return groups


def build_optimizer(optim, model: nn.Module, batch_size: int) -> torch.optim.Optimizer:
    """`optim`: an OptimConfig. The lr starts at the peak; the training loop sets it per step
    from schedule.lr_at."""
    lr = peak_lr(optim, batch_size)
    groups = param_groups(model, optim.weight_decay, optim.exclude_bias_bn, optim.bias_lr_scale)
    if optim.name == "lars":
        return LARS(groups, lr=lr, momentum=optim.momentum, weight_decay=optim.weight_decay,
                    eta=optim.eta, clip=optim.lars_clip)
    for g in groups:  # torch's own optimisers do not know the flag (lr_scale is the loop's)
        g.pop("lars_exclude")
    if optim.name == "sgd":
        # model_util.py: the 'momentum' optimiser is Nesterov momentum
        return torch.optim.SGD(groups, lr=lr, momentum=optim.momentum, nesterov=optim.nesterov and optim.momentum > 0)
    if optim.name == "adamw":
        return torch.optim.AdamW(groups, lr=lr, betas=tuple(optim.betas))
    raise ValueError(f"unknown optimiser {optim.name!r}")
