"""LARS (You et al. 2017) with the semantics of google-research/simclr lars_optimizer.py.

Per parameter, classic momentum (the official default, `classic_momentum=True`):
    g     = grad + wd * w                        (unless excluded from weight decay)
    trust = eta * ||w|| / ||g||   if ||w|| > 0 and ||g|| > 0 else 1.0   (unless excluded)
    v     = momentum * v + lr * trust * g        (the learning rate lives inside the buffer)
    w     = w - v
With `clip=True` (LARC's clip mode, solo-learn's `clip_lr`) the adapted rate is
    min(eta * ||w|| / ||g||, lr) instead of lr * eta * ||w|| / ||g||: lr only caps it.
Exclusion is per param group: `{"params": [...], "lars_exclude": True}` turns off both weight
decay and adaptation (official: exclude_from_weight_decay=['batch_normalization', 'bias'],
exclude_from_layer_adaptation defaults to the same list).
"""

from __future__ import annotations

import torch
from torch.optim import Optimizer


class LARS(Optimizer):
    def __init__(self, params, lr: float, momentum: float = 0.9, weight_decay: float = 0.0,
                 eta: float = 0.001, nesterov: bool = False, clip: bool = False) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0 or eta <= 0:
            raise ValueError("LARS needs lr, momentum, weight_decay >= 0 and eta > 0")
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta,
                        nesterov=nesterov, lars_exclude=False, clip=clip)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, mom, wd, eta = group["lr"], group["momentum"], group["weight_decay"], group["eta"]
            exclude = group["lars_exclude"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if wd and not exclude:
                    g = g.add(p, alpha=wd)
                if exclude:
                    scaled_lr = lr
                else:
                    w_norm = torch.linalg.vector_norm(p)
                    g_norm = torch.linalg.vector_norm(g)
                    # torch.where keeps this on the device: no .item(), no host sync
                    ok = (w_norm > 0) & (g_norm > 0)
                    if group.get("clip", False):  # LARC clip: eta ||w||/||g|| capped at lr; lr itself if a norm is 0
                        scaled_lr = torch.where(ok, torch.clamp(eta * w_norm / g_norm, max=lr),
                                                torch.full_like(w_norm, lr))
                    else:
                        scaled_lr = torch.where(ok, eta * w_norm / g_norm, torch.ones_like(w_norm)) * lr
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p)
                v = state["momentum_buffer"]
                v.mul_(mom).add_(g * scaled_lr)
                update = v * mom + g * scaled_lr if group["nesterov"] else v
                p.sub_(update)
        return loss
