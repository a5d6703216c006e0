"""SwAV (Caron et al. 2020), facebookresearch/swav `main_swav.py` + `src/resnet50.py`: multi-crop
views, a projection head (Linear -> BN -> ReLU -> Linear) whose output z is L2-normalised, a
linear layer without bias as the prototypes, codes from Sinkhorn-Knopp over the GLOBAL batch for
the `crops_for_assign` crops, and the swapped prediction of each such code from every other crop.

Around the optimiser step, as `train()` does it:
- the prototypes are L2-normalised at the start of every iteration: here once at construction and
  after every optimiser step (`after_step`), which is the same sequence of weights;
- their gradients are dropped for the first `freeze_prototypes_niters` iterations (`after_backward`).

The queue (`queue_length` > 0): from epoch `epoch_queue_starts` on, the z of the assigned crops are
queued (newest first) and, once the queue is full, the scores of the queued z against the current
prototypes are prepended to the batch's before Sinkhorn; only the batch's own codes are used.
main_swav.py keeps one queue of queue_length / world_size rows per rank, of that rank's own z. Here
the buffer `queue` [len(crops_for_assign), queue_length, feat_dim] holds every rank's part (rank r:
rows r*L/W .. (r+1)*L/W - 1), the same on every rank: rank r reads its own part, so the codes are
the official ones, and rank 0's checkpoint holds the whole state. "Full" is decided from the step
count (the official test, a non-zero last row, needs a host sync): the queue is read from
iteration epoch_queue_starts * steps_per_epoch + queue_length / global batch on, exactly when its
last row is first filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from papernotes.ssl import distributed
from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.config.option_checks import crop_sizes, positive, scale_range, train_size
from papernotes.ssl.losses_clustering import sinkhorn, swav_loss
from papernotes.ssl.methods.base import Method, fp32
from papernotes.ssl.models.heads import mlp_bn
from papernotes.ssl.registry import register_method
from papernotes.ssl.views.multicrop import at_least_f32, crops_of, forward_by_resolution, multicrop_views


@dataclass(frozen=True)
class SwAVOptions:
    """facebookresearch/swav main_swav.py flags; crop defaults from scripts/swav_800ep_pretrain.sh
    (main_swav.py's own argparse defaults are a single 224 crop). Crop i of group g has side
    size_crops[g] and an area fraction in [min_scale_crops[g], max_scale_crops[g]]."""
    nmb_crops: tuple[int, ...] = (2, 6)  # --nmb_crops 2 6
    size_crops: tuple[int, ...] = (224, 96)  # --size_crops 224 96
    min_scale_crops: tuple[float, ...] = (0.14, 0.05)  # --min_scale_crops 0.14 0.05
    max_scale_crops: tuple[float, ...] = (1.0, 0.14)  # --max_scale_crops 1. 0.14
    crops_for_assign: tuple[int, ...] = (0, 1)  # --crops_for_assign 0 1: crops whose codes are predicted
    temperature: float = 0.1  # --temperature
    epsilon: float = 0.05  # --epsilon (Sinkhorn-Knopp regularisation)
    sinkhorn_iterations: int = 3  # --sinkhorn_iterations
    feat_dim: int = 128  # --feat_dim: projection output
    nmb_prototypes: int = 3000  # --nmb_prototypes
    hidden_mlp: int = 2048  # --hidden_mlp: projection head hidden width
    queue_length: int = 0  # --queue_length (global, all ranks); 0: no queue
    epoch_queue_starts: int = 15  # --epoch_queue_starts
    freeze_prototypes_niters: int = 313  # --freeze_prototypes_niters (iterations, not epochs)

    def check(self, cfg: Any) -> None:
        groups = len(self.nmb_crops)
        for name in ("size_crops", "min_scale_crops", "max_scale_crops"):
            if len(getattr(self, name)) != groups:
                raise ConfigError(f"swav.{name}", f"one entry per crop group: nmb_crops has {groups}, "
                                                  f"{name} has {len(getattr(self, name))}")
        if groups == 0 or min(self.nmb_crops) < 1:
            raise ConfigError("swav.nmb_crops", f"each group needs at least one crop, got {list(self.nmb_crops)}")
        if sum(self.nmb_crops) < 2:
            raise ConfigError("swav.nmb_crops", "swapped prediction needs at least 2 crops")
        crop_sizes("swav.size_crops", self.size_crops, cfg)
        for g in range(groups):
            scale_range(f"swav.min_scale_crops[{g}]", self.min_scale_crops[g], self.max_scale_crops[g])
        total = sum(self.nmb_crops)
        if not self.crops_for_assign or len(set(self.crops_for_assign)) != len(self.crops_for_assign) \
                or not all(0 <= c < total for c in self.crops_for_assign):
            raise ConfigError("swav.crops_for_assign", f"distinct crop indices in [0, {total}), "
                                                       f"got {list(self.crops_for_assign)}")
        for name in ("temperature", "epsilon", "sinkhorn_iterations", "feat_dim", "nmb_prototypes", "hidden_mlp"):
            positive(f"swav.{name}", getattr(self, name))
        for name in ("queue_length", "epoch_queue_starts", "freeze_prototypes_niters"):
            if getattr(self, name) < 0:
                raise ConfigError(f"swav.{name}", f"must be >= 0, got {getattr(self, name)}")
        if self.queue_length % cfg.train.batch_size:
            # main_swav.py silently rounds down to a multiple of batch_size * world_size
            raise ConfigError("swav.queue_length", f"must be a multiple of train.batch_size "
                                                   f"({cfg.train.batch_size}), the global batch")
        n = train_size(cfg)
        if n is not None and self.queue_length > n:
            raise ConfigError("swav.queue_length", f"a queue of {self.queue_length} features is longer "
                                                   f"than the data set ({n} images)")


@register_method("swav", options=SwAVOptions)
class SwAV(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        mc = self.options
        self.crops = crops_of(mc.nmb_crops, mc.size_crops, list(zip(mc.min_scale_crops, mc.max_scale_crops)))
        self.projector = mlp_bn(self.feature_dim, mc.hidden_mlp, mc.feat_dim)  # src/resnet50.py projection_head
        self.prototypes = nn.Linear(mc.feat_dim, mc.nmb_prototypes, bias=False)
        self._normalize_prototypes()  # the official loop normalises before the first forward too
        self.register_buffer("queue", torch.zeros(len(mc.crops_for_assign), mc.queue_length, mc.feat_dim))
        self._enqueue: Tensor | None = None  # this step's z of the assigned crops, queued in after_step

    def views(self, images: Tensor, generator: torch.Generator | None) -> list[Tensor]:
        return multicrop_views(images, self.cfg.aug, self.crops, generator)

    def _queue_starts(self) -> int:
        return self.options.epoch_queue_starts * self.steps_per_epoch

    def _queue_full(self, step: int) -> bool:
        mc = self.options
        return mc.queue_length > 0 and step - self._queue_starts() >= mc.queue_length // self.cfg.train.batch_size

    def _my_queue(self, i: int) -> Tensor:
        """This rank's part of queue i: [queue_length / world, feat_dim]."""
        world, rank = _world_rank()
        part = self.queue.shape[1] // world
        return self.queue[i, rank * part:(rank + 1) * part]

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        mc = self.options
        bs, n_views = views[0].shape[0], len(views)
        h = forward_by_resolution(self.encoder, views)  # h: [V*bs, feature_dim]
        z = self.projector(h)  # z: [V*bs, feat_dim]
        with fp32(z):
            z = F.normalize(at_least_f32(z), dim=1, p=2)  # the embedding (forward_head, l2norm)
            scores = self.prototypes(z)  # scores: [V*bs, K], cosines (prototypes are unit rows)
            use_queue = self._queue_full(step)
            loss = z.new_zeros(())
            for i, crop_id in enumerate(mc.crops_for_assign):
                with torch.no_grad():
                    out = scores[bs * crop_id: bs * (crop_id + 1)].detach()  # [bs, K]
                    if use_queue:
                        out = torch.cat((self._my_queue(i) @ self.prototypes.weight.t(), out))
                    q = sinkhorn(out, mc.epsilon, mc.sinkhorn_iterations, gather=True)[-bs:]  # [bs, K]
                subloss = z.new_zeros(())
                for v in range(n_views):
                    if v != crop_id:
                        subloss = subloss + swav_loss(scores[bs * v: bs * (v + 1)], q, mc.temperature)
                loss = loss + subloss / (n_views - 1)
            loss = loss / len(mc.crops_for_assign)
        if mc.queue_length > 0 and step >= self._queue_starts():
            self._enqueue = torch.stack([z[bs * c: bs * (c + 1)].detach() for c in mc.crops_for_assign])
        n_large = mc.nmb_crops[0]
        return loss, h[: n_large * bs]  # the probe learns from the large crops

    def after_backward(self, step: int) -> None:
        if step < self.options.freeze_prototypes_niters:  # "cancel gradients for the prototypes"
            self.prototypes.weight.grad = None

    @torch.no_grad()
    def after_step(self, step: int) -> None:
        self._normalize_prototypes()
        fresh, self._enqueue = self._enqueue, None
        if fresh is not None:
            self._push(fresh)

    @torch.no_grad()
    def _normalize_prototypes(self) -> None:
        w = self.prototypes.weight
        w.copy_(F.normalize(w.detach().clone(), dim=1, p=2))

    @torch.no_grad()
    def _push(self, fresh: Tensor) -> None:
        """fresh: [A, bs, D], this rank's z. Every rank's part of the queue shifts down by bs rows
        and takes that rank's z on top (queue[i, bs:] = queue[i, :-bs]; queue[i, :bs] = z)."""
        world, _ = _world_rank()
        a, bs, d = fresh.shape
        if world > 1:
            parts = [torch.empty_like(fresh) for _ in range(world)]
            torch.distributed.all_gather(parts, fresh.contiguous())
            fresh = torch.stack(parts, dim=1)  # [A, W, bs, D]
        else:
            fresh = fresh.unsqueeze(1)
        q = self.queue.view(a, world, -1, d)  # [A, W, L/W, D]
        q.copy_(torch.cat((fresh.to(q.dtype), q[:, :, :-bs]), dim=2))


def _world_rank() -> tuple[int, int]:
    if distributed.is_active():
        return torch.distributed.get_world_size(), torch.distributed.get_rank()
    return 1, 0
