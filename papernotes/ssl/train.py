"""The training loop: one screen, everything on the device, no host sync between log steps.

Per step: take this rank's batch from the data source (in memory or streamed), let the method build its views on the device, (loss,
features) = method(views), the online probe's cross-entropy on features.detach() added to it, lr
from the per-step schedule, one backward, both optimisers step, then the method's after-step
update (EMA, queue, ...). The loop knows no method by name: see `papernotes/ssl/methods/`.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import Tensor, nn

from papernotes.ssl.config import PretrainConfig
from papernotes.ssl.data.loader import TensorSource
from papernotes.ssl.data.stream import FolderSource
from papernotes.ssl.distributed import all_reduce_mean, any_rank
from papernotes.ssl.methods import Method
from papernotes.ssl.optim.schedule import end_lr, lr_at, weight_decay_at


@dataclass
class TrainState:
    """Everything that moves during training (the rest is configuration)."""
    model: nn.Module  # the method, possibly DDP-wrapped and/or compiled: what forward runs through
    method: Method  # the same method unwrapped: views and after-step updates
    probe: nn.Module | None  # OnlineProbe, possibly DDP-wrapped
    optimizer: torch.optim.Optimizer
    probe_optimizer: torch.optim.Optimizer | None
    aug_generator: torch.Generator  # re-seeded every step from (seed, rank, step)
    step: int = 0
    epoch_loss: Tensor = field(default_factory=lambda: torch.zeros(()))  # sum over this epoch's steps
    # the loss summed over the steps since the last `step` event, and how many: kept in the
    # checkpoint, so a resumed run logs the same mean at its next log step as an uninterrupted one
    log_loss: Tensor | None = None
    log_steps: int = 0


Source = TensorSource | FolderSource  # batches(start, stop) -> (images or Cropped, labels or None)


@dataclass(frozen=True)
class LoopSpec:
    cfg: PretrainConfig
    source: Source  # this rank's batches: in memory (loader.TensorSource) or streamed (stream.FolderSource)
    total_steps: int
    warmup_steps: int
    peak_lr: float
    probe_peak_lr: float
    world_size: int
    rank: int
    device: torch.device
    autocast_bf16: bool


def view_seed(seed: int, step: int, rank: int) -> int:
    """The seed of the per-step generator that draws the views (and any masks a method draws) of one rank."""
    return (seed * 1_000_003 + step) * 1024 + rank


def train(spec: LoopSpec, st: TrainState, emit: Callable[[dict], None], after_step: Callable[[int], None],
          stop: Callable[[], bool]) -> bool:
    """Run from st.step to spec.total_steps (or max_steps); False when stopped early by `stop`."""
    tcfg, ocfg = spec.cfg.train, spec.cfg.optim
    last = min(spec.total_steps, tcfg.max_steps) if tcfg.max_steps else spec.total_steps
    amp = torch.autocast(spec.device.type, dtype=torch.bfloat16) if spec.autocast_bf16 else nullcontext()
    mem = torch.channels_last if tcfg.channels_last else torch.contiguous_format
    window_start = time.perf_counter()
    if st.log_loss is None:
        st.log_loss = torch.zeros((), device=spec.device)
    spe = spec.source.steps_per_epoch
    data = spec.source.batches(st.step, last)  # a resume asks for the same steps: the same batches
    while st.step < last:
        # Under DDP the ranks decide together (a signal may reach only some of them), at log
        # steps only, which already sync with the host; a lone process checks every step.
        if (spec.world_size == 1 or st.step % tcfg.log_every == 0) and any_rank(stop(), spec.device):
            return False
        lr = lr_at(st.step, spec.total_steps, spec.warmup_steps, spec.peak_lr, ocfg.warmup_start_lr,
                   end_lr(ocfg, spec.peak_lr))
        wd = None if ocfg.weight_decay_end is None else weight_decay_at(
            st.step, spec.total_steps, ocfg.weight_decay, ocfg.weight_decay_end)
        for g in st.optimizer.param_groups:
            g["lr"] = lr * g.get("lr_scale", 1.0)
            if wd is not None:  # only the decayed groups (optimizers.param_groups: wd_scale 0 on the others)
                g["weight_decay"] = wd * g.get("wd_scale", 1.0)
        x, y = next(data)  # x: uint8 [n, 3, H, W], or a Cropped batch (streamed)
        # Views are a pure function of (seed, rank, step): resuming needs no generator state.
        st.aug_generator.manual_seed(view_seed(tcfg.seed, st.step, spec.rank))
        views = [v.contiguous(memory_format=mem) for v in st.method.views(x, st.aug_generator)]
        with amp:
            loss, feats = st.model(views, st.step)  # feats: [V*n, feature_dim] for the probe
        total = loss
        if st.probe is not None and y is not None:
            for g in st.probe_optimizer.param_groups:
                g["lr"] = spec.probe_peak_lr * lr / spec.peak_lr
            labels = y.repeat(feats.shape[0] // y.shape[0])  # [V*n]: the views are stacked
            total = total + nn.functional.cross_entropy(st.probe(feats), labels)  # feats detached inside
            st.probe_optimizer.zero_grad(set_to_none=True)
        st.optimizer.zero_grad(set_to_none=True)
        total.backward()
        st.method.after_backward(st.step)
        st.optimizer.step()
        if st.probe is not None and y is not None:
            st.probe_optimizer.step()
        st.method.after_step(st.step)
        st.epoch_loss = st.epoch_loss + loss.detach()
        st.log_loss = st.log_loss + loss.detach()
        st.step += 1
        st.log_steps += 1
        if st.step % tcfg.log_every == 0 or st.step == last:
            mean_loss = all_reduce_mean(st.log_loss / st.log_steps).item()  # the only host sync: log steps
            elapsed = time.perf_counter() - window_start
            metrics = {"train/loss": mean_loss, "train/lr": lr,
                       "train/pairs_per_s": st.log_steps * spec.source.global_batch / max(elapsed, 1e-9)}
            if spec.source.corrupt is not None:  # streamed: files skipped so far (this rank's)
                metrics["data/corrupt_images"] = spec.source.corrupt
            emit({"event": "step", "step": st.step, "epoch": st.step / spe, "metrics": metrics})
            window_start, st.log_steps, st.log_loss = time.perf_counter(), 0, torch.zeros((), device=spec.device)
        after_step(st.step)
    return True
