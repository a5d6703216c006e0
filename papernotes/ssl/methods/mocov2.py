"""MoCo v2 (Chen, Fan, Girshick, He 2020), facebookresearch/moco `moco/builder.py` with --mlp
--aug-plus --cos: a query encoder and a momentum key encoder, a queue of normalised keys from
every rank, InfoNCE with the positive at index 0, shuffle-BN for the key encoder under DDP.

The official forward updates the key encoder, encodes keys, computes the loss and enqueues in one
call; here the momentum update and the enqueue run in `after_step`, after the optimiser step.
The order of operations is the same: the update after step t-1 is the update at the start of
step t, and step t's loss reads the queue before its own keys are enqueued.

main_moco.py trains without SyncBatchNorm (shuffle-BN is its answer to per-GPU statistics): run
it with `train.sync_bn: false`, as repro/mocov2.yaml does; with SyncBN on GPUs the key encoder's
statistics would be global and the shuffle moot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from papernotes.ssl import distributed
from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.config.option_checks import positive, train_size, unit
from papernotes.ssl.losses import infonce_queue_loss, moco_enqueue
from papernotes.ssl.methods.base import Method, fp32, frozen_copy, momentum_update
from papernotes.ssl.models.heads import mlp_relu
from papernotes.ssl.registry import register_method


@dataclass(frozen=True)
class MoCoV2Options:
    """facebookresearch/moco main_moco.py flags with --mlp --aug-plus --cos."""
    temperature: float = 0.2  # --moco-t 0.2 (v2)
    queue_size: int = 65536  # --moco-k
    momentum: float = 0.999  # --moco-m (key encoder EMA)
    mlp_hidden: int | None = None  # --mlp hidden width; None: the encoder's feature dim (2048 for R-50), as builder.py
    shuffle_bn: bool = True  # builder.py _batch_shuffle_ddp for the key encoder under DDP
    # colab/moco_cifar10_demo.ipynb --bn-splits: BN statistics per 1/bn_splits of a process's batch
    # (8 simulates 8 GPUs on one) and, with shuffle_bn, the key batch shuffled across the splits
    bn_splits: int = 1

    def check(self, cfg: Any) -> None:
        positive("mocov2.temperature", self.temperature)
        positive("mocov2.queue_size", self.queue_size)
        positive("mocov2.bn_splits", self.bn_splits)
        if cfg.train.batch_size % self.bn_splits:
            raise ConfigError("mocov2.bn_splits", f"must divide train.batch_size ({cfg.train.batch_size})")
        if self.mlp_hidden is not None:
            positive("mocov2.mlp_hidden", self.mlp_hidden)
        unit("mocov2.momentum", self.momentum)
        n = train_size(cfg)
        if n is not None and self.queue_size > n:
            raise ConfigError("mocov2.queue_size", f"a queue of {self.queue_size} keys is longer than the "
                                                   f"data set ({n} images): it would hold stale copies")
        if self.queue_size % cfg.train.batch_size:
            raise ConfigError("mocov2.queue_size", f"must be a multiple of train.batch_size "
                                                   f"({cfg.train.batch_size}), as builder.py asserts")


@register_method("mocov2", options=MoCoV2Options)
class MoCoV2(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        mc = self.options
        # builder.py builds torchvision's ResNet (zero_init_residual=False): every BN scale starts
        # at 1, where the shared encoder zero-inits each block's last BN (SimCLR's resnet.py)
        for m in self.encoder.modules():
            if isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
        self.head = mlp_relu(self.feature_dim, mc.mlp_hidden or self.feature_dim, cfg.model.proj_dim)
        self.key_encoder = frozen_copy(self.encoder)  # builder.py: param_k.data.copy_(param_q.data)
        self.key_head = frozen_copy(self.head)
        # builder.py: queue = normalize(randn(dim, K), dim=0); stored here as rows: [K, D]
        queue = torch.randn(mc.queue_size, cfg.model.proj_dim)
        self.register_buffer("queue", queue / queue.norm(dim=1, keepdim=True))
        self.register_buffer("queue_ptr", torch.zeros((), dtype=torch.long))
        self._keys: Tensor | None = None  # this step's keys from every rank, enqueued in after_step

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        im_q, im_k = views
        h = self._split(self.encoder, im_q)  # h: [n, feature_dim]
        q = self.head(h)  # q: [n, D]
        with torch.no_grad():
            k = self._keys_of(im_k, step)  # k: [n, D]
        with fp32(q):
            loss = infonce_queue_loss(q.float(), k.float(), self.queue, self.options.temperature)
        self._keys = k  # enqueued after the optimiser step (the loss above read the queue before it)
        return loss, h

    def _split(self, encoder: nn.Module, x: Tensor) -> Tensor:
        """The encoder on each of bn_splits chunks of x, so BN statistics are per chunk: the
        colab's SplitBatchNorm, a chunk standing for one GPU's batch (running statistics are
        updated once per chunk rather than averaged)."""
        splits = self.options.bn_splits
        return encoder(x) if splits == 1 else torch.cat([encoder(c) for c in x.chunk(splits)])

    def _permutation(self, size: int, step: int, device: torch.device) -> Tensor:
        """One shuffle for every rank, a pure function of (seed, step): no broadcast needed."""
        gen = torch.Generator().manual_seed(self.cfg.train.seed * 1_000_003 + step)
        return torch.randperm(size, generator=gen).to(device)

    def _keys_of(self, im_k: Tensor, step: int) -> Tensor:
        """The key encoder's output, through a shuffle so that BN statistics never see a query's
        own key: builder.py's _batch_shuffle_ddp / _batch_unshuffle_ddp under DDP, the colab's
        _batch_shuffle_single_gpu across the BN splits of one process."""
        mc = self.options
        if mc.shuffle_bn and distributed.is_active():
            world, rank, n = torch.distributed.get_world_size(), torch.distributed.get_rank(), im_k.shape[0]
            gathered = distributed.gather_with_grad(im_k)  # [n*W, 3, H, W]
            perm = self._permutation(n * world, step, im_k.device)
            mine = perm[rank * n:(rank + 1) * n]
            k = self.key_head(self._split(self.key_encoder, gathered[mine]))  # [n, D]
            all_k = distributed.gather_with_grad(k)  # [n*W, D] in shuffled order
            unshuffle = torch.argsort(perm)
            return all_k[unshuffle][rank * n:(rank + 1) * n]
        if mc.shuffle_bn and mc.bn_splits > 1:
            perm = self._permutation(im_k.shape[0], step, im_k.device)
            k = self.key_head(self._split(self.key_encoder, im_k[perm]))  # [n, D] in shuffled order
            return k[torch.argsort(perm)]
        return self.key_head(self._split(self.key_encoder, im_k))

    @torch.no_grad()
    def after_step(self, step: int) -> None:
        m = self.options.momentum
        momentum_update(self.encoder, self.key_encoder, m)
        momentum_update(self.head, self.key_head, m)
        keys, self._keys = self._keys, None
        if keys is not None:  # every rank's keys, in rank order (builder.py concat_all_gather)
            self.queue_ptr.copy_(moco_enqueue(self.queue, keys, self.queue_ptr, gather=True))
