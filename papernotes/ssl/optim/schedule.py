"""Learning-rate schedule of google-research/simclr model_util.py `learning_rate_schedule`:
peak = base_lr * B/256 (linear) or base_lr * sqrt(B) (sqrt) (paper Appendix B.1), linear
warm-up over the warm-up steps, then cosine decay to 0 (tf.train.cosine_decay, alpha 0),
evaluated per step.

The end values the other official codes set are options (all 0 / off by default, simclr's):
- the warm-up's start (`warmup_start_lr`): SwAV main_swav.py `np.linspace(start_warmup, base_lr, ...)`;
- the cosine's end, absolute (`final_lr`): SwAV `final_lr + 0.5 * (base_lr - final_lr) * (1 + cos)`,
  DINO utils.cosine_scheduler's `final_value` (--min_lr); or as a fraction of the peak
  (`final_lr_ratio`): Barlow Twins main.py `end_lr = base_lr * 0.001`, `lr = base_lr * q + end_lr * (1 - q)`;
- a cosine on the weight decay (`weight_decay_end`): DINO main_dino.py
  `wd_schedule = cosine_scheduler(weight_decay, weight_decay_end, epochs, niter_per_ep)`, no warm-up.
"""

from __future__ import annotations

import math


def peak_lr(optim, batch_size: int) -> float:
    """`optim`: an OptimConfig (base_lr, lr_scaling); `batch_size`: the global batch."""
    if optim.lr_scaling == "linear":
        return optim.base_lr * batch_size / 256.0
    if optim.lr_scaling == "sqrt":
        return optim.base_lr * math.sqrt(batch_size)
    raise ValueError(f"unknown lr_scaling {optim.lr_scaling!r}")


def end_lr(optim, peak: float) -> float:
    """The cosine's end value: `final_lr` (absolute) or `final_lr_ratio` x the peak (0 by default)."""
    return optim.final_lr + optim.final_lr_ratio * peak


def warmup_steps(warmup_epochs: float, steps_per_epoch: int) -> int:
    """model_util.py: int(round(warmup_epochs * num_examples // batch_size))."""
    return int(round(warmup_epochs * steps_per_epoch))


def lr_at(step: int, total_steps: int, warmup_steps: int, peak: float,
          start: float = 0.0, end: float = 0.0) -> float:
    """Learning rate for optimiser step `step` (0-based): linear from `start` to `peak` over the
    warm-up, then cosine from `peak` to `end` (0 and 0: simclr's schedule)."""
    if warmup_steps > 0 and step < warmup_steps:
        return start + (peak - start) * step / warmup_steps
    decay_steps = max(total_steps - warmup_steps, 1)
    progress = min(max(step - warmup_steps, 0), decay_steps) / decay_steps  # clamped as TF
    return end + (peak - end) * 0.5 * (1.0 + math.cos(math.pi * progress))


def weight_decay_at(step: int, total_steps: int, start: float, end: float) -> float:
    """DINO's weight-decay cosine from `start` at step 0 to `end` at the last step (no warm-up):
    utils.cosine_scheduler, `final + 0.5 * (base - final) * (1 + cos(pi * i / len(iters)))`."""
    progress = min(max(step, 0), total_steps) / max(total_steps, 1)
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * progress))
