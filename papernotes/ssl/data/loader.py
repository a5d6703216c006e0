"""Device-resident batches by index (`TensorSource`, the in-memory data interface): an epoch permutation shared by all ranks, each rank its slice.

The permutation of epoch e is a pure function of (seed, e), so resuming at step s only needs s:
no sampler state to checkpoint. Incomplete last batches are dropped (drop_last), as DDP needs
equal batches on every rank.
"""

from __future__ import annotations

import torch
from torch import Tensor


class IndexSampler:
    def __init__(self, n: int, global_batch: int, rank: int = 0, world_size: int = 1, seed: int = 0,
                 device: torch.device | str = "cpu") -> None:
        if global_batch % world_size:
            raise ValueError(f"batch size {global_batch} is not divisible by {world_size} processes")
        if n < global_batch:
            raise ValueError(f"batch size {global_batch} is larger than the data set ({n} images)")
        self.n, self.global_batch, self.rank, self.world_size = n, global_batch, rank, world_size
        self.local_batch = global_batch // world_size
        self.seed, self.device = seed, torch.device(device)
        self.steps_per_epoch = n // global_batch
        self._epoch, self._perm = -1, None

    def permutation(self, epoch: int) -> Tensor:
        if epoch != self._epoch:
            g = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._perm = torch.randperm(self.n, generator=g).to(self.device)
            self._epoch = epoch
        return self._perm

    def indices(self, step: int) -> Tensor:
        """This rank's indices (on the device) for global step `step`."""
        epoch, within = divmod(step, self.steps_per_epoch)
        start = within * self.global_batch + self.rank * self.local_batch
        return self.permutation(epoch)[start:start + self.local_batch]


class TensorSource:
    """The in-memory implementation of the data interface (`folder_set.StreamedFolder` is the
    streamed one): `batches(start, stop)` yields this rank's (images, labels) of steps
    start..stop-1, gathered on the device by index, exactly as the loop always did."""

    def __init__(self, images: Tensor, labels: Tensor | None, sampler: IndexSampler) -> None:
        self.images, self.labels, self.sampler = images, labels, sampler
        self.steps_per_epoch, self.global_batch = sampler.steps_per_epoch, sampler.global_batch
        self.corrupt = None  # nothing is decoded: no count to report

    def batches(self, start: int, stop: int):
        for step in range(start, stop):
            yield batch(self.images, self.labels, self.sampler.indices(step))


def batch(images: Tensor, labels: Tensor | None, idx: Tensor) -> tuple[Tensor, Tensor | None]:
    """Gather a batch on the device (one index_select, no per-image Python)."""
    return images.index_select(0, idx), None if labels is None else labels.index_select(0, idx)
