"""Learning-rate schedule of google-research/simclr model_util.py `learning_rate_schedule`:
peak = base_lr * B/256 (linear) or base_lr * sqrt(B) (sqrt) (paper Appendix B.1), linear
warm-up over the warm-up steps, then cosine decay to 0 (tf.train.cosine_decay, alpha 0),
evaluated per step."""

from __future__ import annotations

import math


def peak_lr(optim, batch_size: int) -> float:
    """`optim`: an OptimConfig (base_lr, lr_scaling); `batch_size`: the global batch."""
    if optim.lr_scaling == "linear":
        return optim.base_lr * batch_size / 256.0
    if optim.lr_scaling == "sqrt":
        return optim.base_lr * math.sqrt(batch_size)
    raise ValueError(f"unknown lr_scaling {optim.lr_scaling!r}")


def warmup_steps(warmup_epochs: float, steps_per_epoch: int) -> int:
    """model_util.py: int(round(warmup_epochs * num_examples // batch_size))."""
    return int(round(warmup_epochs * steps_per_epoch))


def lr_at(step: int, total_steps: int, warmup_steps: int, peak: float) -> float:
    """Learning rate for optimiser step `step` (0-based)."""
    if warmup_steps > 0 and step < warmup_steps:
        return peak * step / warmup_steps
    decay_steps = max(total_steps - warmup_steps, 1)
    progress = min(max(step - warmup_steps, 0), decay_steps) / decay_steps  # clamped as TF
    return peak * 0.5 * (1.0 + math.cos(math.pi * progress))
