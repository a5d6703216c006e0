"""The streaming image-folder path: files read, decoded and cropped by DataLoader worker processes
while the device trains; nothing but the file index held for the whole set.

Training (`FolderSource`): item s of the loader is this rank's batch of step s, its indices from
the same `IndexSampler` as the in-memory path (one permutation from (seed, epoch), rank r the
r-th slice of each global batch: disjoint shares, every image once per epoch), its crops drawn
with a generator seeded from (seed, step, rank): a resumed run asks for steps s.. and gets the
same images, cropped the same, bitwise. Each worker reads the JPEG bytes of its step, decodes
them on the CPU (or, with a GPU, hands the bytes over and the main process decodes them with
nvJPEG) and cuts the method's crops (`Method.crop_plan`) from the full-resolution image.

A file that does not decode (corrupt, truncated) is replaced by the next file of the index that
does, so every batch keeps its size; the main process warns once per file, naming it, and
counts it (`corrupt`), which the loop reports as `data/corrupt_images`.

Evaluation (`FolderImages`): a split in file order through Resize + CenterCrop (`decode.eval_view`);
a corrupt file there is a black image (its label kept), warned and counted the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch
from torch import Tensor

from papernotes.core.notices import warn  # stdlib-only shared module
from papernotes.ssl.data.decode import decode, decode_on_device, eval_view, random_crops, read_bytes
from papernotes.ssl.data.folder_index import FolderIndex
from papernotes.ssl.data.loader import IndexSampler
from papernotes.ssl.views.cropped import Cropped

PREFETCH = 4  # batches each worker keeps ready


def crop_seed(seed: int, step: int, rank: int) -> int:
    """The seed of the CPU generator that draws the crop boxes of one rank's step."""
    return ((seed * 1_000_003 + step) * 1024 + rank) * 7 + 3


def _worker_init(_: int) -> None:
    torch.set_num_threads(1)  # one core a worker: decode and resize are per image


def _load(index: FolderIndex, i: int, read_only: bool) -> tuple[int, Tensor, list[str]]:
    """(index used, decoded image or bytes, corrupt paths met): file i, else the next that decodes."""
    bad: list[str] = []
    for k in range(len(index)):
        j = (i + k) % len(index)
        try:
            data = read_bytes(index.path(j))
        except OSError:
            bad.append(index.path(j))
            continue
        if read_only:
            return j, data, bad
        img = decode(data)
        if img is not None:
            return j, img, bad
        bad.append(index.path(j))
    raise RuntimeError(f"{index.root}: no file of the split decodes")


class StepBatches(torch.utils.data.Dataset):
    """Item `step`: this rank's batch of that step, decoded and cropped (or raw bytes, to decode on the GPU)."""

    def __init__(self, index: FolderIndex, sampler: IndexSampler, crops: Sequence, seed: int, rank: int,
                 decode_here: bool) -> None:
        self.index, self.sampler, self.crops = index, sampler, list(crops)
        self.seed, self.rank, self.decode_here = seed, rank, decode_here

    def __len__(self) -> int:
        return 1 << 62  # indexed by step; the loader's sampler says which

    def __getitem__(self, step: int) -> dict:
        got = [_load(self.index, i, not self.decode_here) for i in self.sampler.indices(step).tolist()]
        bad = [p for _, _, b in got for p in b]
        labels = torch.from_numpy(self.index.labels[[j for j, _, _ in got]])
        if not self.decode_here:
            return {"step": step, "bytes": [d for _, d, _ in got], "idx": [j for j, _, _ in got],
                    "labels": labels, "bad": bad}
        g = torch.Generator().manual_seed(crop_seed(self.seed, step, self.rank))
        per_image = [random_crops(img, self.crops, g) for _, img, _ in got]
        crops = [torch.stack([views[c] for views in per_image]) for c in range(len(self.crops))]
        return {"step": step, "crops": crops, "idx": [j for j, _, _ in got], "labels": labels, "bad": bad}


class _Corrupt:
    """The files found corrupt in this process: one warning line each, and their count."""

    def __init__(self) -> None:
        self.paths: set[str] = set()

    def note(self, paths: Sequence[str]) -> None:
        for p in paths:
            if p not in self.paths:
                self.paths.add(p)
                warn("not a readable image; skipped (the next file of the folder takes its place)", path=p)


class FolderSource:
    """This rank's training batches of a streamed split: `batches(start, stop)` yields
    (Cropped on the device, labels on the device) for steps start..stop-1."""

    def __init__(self, index: FolderIndex, sampler: IndexSampler, crops: Sequence, seed: int, rank: int,
                 device: torch.device, workers: int) -> None:
        self.index, self.sampler, self.crops, self.device, self.workers = index, sampler, list(crops), device, workers
        self.steps_per_epoch, self.global_batch = sampler.steps_per_epoch, sampler.global_batch
        self.gpu_decode = device.type == "cuda"
        self.dataset = StepBatches(index, sampler, crops, seed, rank, decode_here=not self.gpu_decode)
        self.seed, self.rank = seed, rank
        self._corrupt = _Corrupt()
        self.last_files: list[int] = []  # the index entries of the batch last yielded

    @property
    def corrupt(self) -> int:
        return len(self._corrupt.paths)

    def _on_device(self, item: dict) -> list[Tensor]:
        imgs = decode_on_device(item["bytes"], self.device)
        for k, img in enumerate(imgs):
            if img is None:  # nvJPEG and the CPU refused it: the next file that decodes
                j, img, bad = _load(self.index, item["idx"][k] + 1, read_only=False)
                self._corrupt.note([self.index.path(item["idx"][k]), *bad])
                imgs[k] = img.to(self.device)
                item["labels"][k] = int(self.index.labels[j])
                item["idx"][k] = j
        g = torch.Generator().manual_seed(crop_seed(self.seed, item["step"], self.rank))
        per_image = [random_crops(img, self.crops, g) for img in imgs]
        return [torch.stack([views[c] for views in per_image]) for c in range(len(self.crops))]

    def batches(self, start: int, stop: int) -> Iterator[tuple[Cropped, Tensor]]:
        loader = torch.utils.data.DataLoader(
            self.dataset, batch_size=None, sampler=range(start, stop), num_workers=self.workers,
            pin_memory=self.device.type == "cuda", worker_init_fn=_worker_init if self.workers else None,
            prefetch_factor=PREFETCH if self.workers else None, persistent_workers=False,
            generator=torch.Generator().manual_seed(crop_seed(self.seed, start, self.rank)))  # not the global RNG
        for item in loader:
            self._corrupt.note(item["bad"])
            crops = self._on_device(item) if self.gpu_decode else item["crops"]
            self.last_files = list(item["idx"])
            yield (Cropped(tuple(c.to(self.device, non_blocking=True) for c in crops)),
                   item["labels"].to(self.device, non_blocking=True))


class _EvalBatches(torch.utils.data.Dataset):
    def __init__(self, index: FolderIndex, size: int, batch_size: int) -> None:
        self.index, self.size, self.batch_size = index, size, batch_size

    def __len__(self) -> int:
        return -(-len(self.index) // self.batch_size)

    def __getitem__(self, k: int) -> dict:
        out, bad = [], []
        for i in range(k * self.batch_size, min((k + 1) * self.batch_size, len(self.index))):
            try:
                img = decode(read_bytes(self.index.path(i)))
            except OSError:
                img = None
            if img is None:
                bad.append(self.index.path(i))
                out.append(torch.zeros(3, self.size, self.size, dtype=torch.uint8))
            else:
                out.append(eval_view(img, self.size))
        return {"images": torch.stack(out), "bad": bad}


class FolderImages:
    """A split for evaluation, streamed in file order through the eval transform: what `encode`
    reads instead of a uint8 tensor. `shape` is that tensor's, without the pixels."""

    def __init__(self, index: FolderIndex, size: int, workers: int, device: torch.device) -> None:
        self.index, self.size, self.workers, self.device = index, size, workers, device
        self.shape = (len(index), 3, size, size)
        self._corrupt = _Corrupt()

    @property
    def corrupt(self) -> int:
        return len(self._corrupt.paths)

    def batches(self, batch_size: int) -> Iterator[Tensor]:
        loader = torch.utils.data.DataLoader(
            _EvalBatches(self.index, self.size, batch_size), batch_size=None, num_workers=self.workers,
            pin_memory=self.device.type == "cuda", worker_init_fn=_worker_init if self.workers else None)
        for item in loader:
            self._corrupt.note(item["bad"])
            yield item["images"].to(self.device, non_blocking=True)
