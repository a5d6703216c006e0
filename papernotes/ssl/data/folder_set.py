"""An ImageFolder data set (ImageNet-1k, ImageNet-100 by a class-list file, any ImageFolder),
streamed: the same face as `DatasetTensors` to the loop and the evaluation, with the file index
in place of the pixels (`train_x`/`test_x` are `FolderImages`, read in the eval transform).

Memory does not grow with the data set beyond the index (about 100 bytes an image): the
training batches come from `stream.FolderSource`, evaluation features from `encode` over
`FolderImages.batches`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from papernotes.ssl.data.folder_index import FolderIndex, read_class_list, scan_split
from papernotes.ssl.data.loader import IndexSampler
from papernotes.ssl.data.stream import FolderImages, FolderSource

HOW = "expected data.root/train/<class>/*.jpg and data.root/val/<class>/*.jpg (ImageNet layout)"


@dataclass(frozen=True)
class StreamedFolder:
    name: str
    train_index: FolderIndex
    test_index: FolderIndex
    train_x: FolderImages
    train_y: Tensor  # int64 [N] (on the training device after `to`)
    test_x: FolderImages
    test_y: Tensor
    num_classes: int
    fingerprint: str
    workers: int
    pretrain_x: None = None
    streamed: bool = True

    @property
    def num_pretrain(self) -> int:
        return len(self.train_index)

    @property
    def corrupt(self) -> int:
        """Files found corrupt so far by evaluation reads (training counts its own)."""
        return self.train_x.corrupt + self.test_x.corrupt

    def to(self, device: torch.device | str) -> "StreamedFolder":
        device = torch.device(device)
        size = self.train_x.size
        return StreamedFolder(self.name, self.train_index, self.test_index,
                              FolderImages(self.train_index, size, self.workers, device), self.train_y.to(device),
                              FolderImages(self.test_index, size, self.workers, device), self.test_y.to(device),
                              self.num_classes, self.fingerprint, self.workers)

    def sampler_device(self, device: torch.device) -> torch.device:
        return torch.device("cpu")  # indices are drawn in the workers

    def train_source(self, sampler: IndexSampler, crops: Sequence, seed: int, rank: int,
                     device: torch.device) -> FolderSource:
        return FolderSource(self.train_index, sampler, crops, seed, rank, torch.device(device), self.workers)


def load_imagefolder(cfg, error: type[Exception]) -> StreamedFolder:
    """The file index of data.root/train and data.root/val (or test); no image is decoded here."""
    root = Path(cfg.root or "data")
    classes = None
    if cfg.class_list is not None:
        listed = Path(cfg.class_list)
        classes = read_class_list(listed if listed.is_absolute() else root / listed, error)
    test_name = "val" if (root / "val").is_dir() else "test"
    train = scan_split(root / "train", classes, HOW, error)
    test = scan_split(root / test_name, list(train.classes), HOW, error)
    dev = torch.device("cpu")
    return StreamedFolder("imagefolder", train, test, FolderImages(train, cfg.image_size, cfg.workers, dev),
                          torch.from_numpy(train.labels.copy()), FolderImages(test, cfg.image_size, cfg.workers, dev),
                          torch.from_numpy(test.labels.copy()), len(train.classes),
                          hashlib.sha256(f"{train.fingerprint()}{test.fingerprint()}".encode()).hexdigest()[:16],
                          cfg.workers)
