"""Data sets as uint8 tensors: the embedded shapes, CIFAR-10/100, STL-10; an ImageFolder is
streamed instead (`folder_set.py`).

`load_dataset(cfg)` returns a `DatasetTensors` on the CPU (the caller moves it to the training
device once). A missing or malformed data set raises `DataError` with one line saying where it
looked and how to get it.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from papernotes.core.errors import PapernotesError  # stdlib-only shared module
from papernotes.ssl.config import DataConfig
from papernotes.ssl.data.synthetic import synthetic_splits


class DataError(PapernotesError, ValueError):
    """A data set that is missing or malformed (one line: where, and how to get it)."""


@dataclass(frozen=True)
class DatasetTensors:
    name: str
    train_x: Tensor  # uint8 [N, 3, H, W] (labelled training split: probe, kNN, linear eval)
    train_y: Tensor  # int64 [N]
    test_x: Tensor
    test_y: Tensor
    num_classes: int
    fingerprint: str
    pretrain_x: Tensor | None = None  # unlabeled images for pretraining (STL-10); None: train_x

    streamed = False  # in memory (folder_set.StreamedFolder is the streamed data set)

    @property
    def pretrain_images(self) -> Tensor:
        return self.train_x if self.pretrain_x is None else self.pretrain_x

    @property
    def num_pretrain(self) -> int:
        return int(self.pretrain_images.shape[0])

    @property
    def corrupt(self) -> None:
        return None  # nothing decoded while training

    def sampler_device(self, device: torch.device) -> torch.device:
        return torch.device(device)  # indices drawn where the images are

    def train_source(self, sampler, crops, seed: int, rank: int, device):
        """The in-memory data interface (`loader.TensorSource`); crops are cut on the device."""
        from papernotes.ssl.data.loader import TensorSource

        labels = self.train_y if self.pretrain_x is None else None  # STL's unlabeled images: no probe
        return TensorSource(self.pretrain_images, labels, sampler)

    def to(self, device: torch.device | str) -> "DatasetTensors":
        move = lambda t: None if t is None else t.to(device)  # noqa: E731
        return DatasetTensors(self.name, move(self.train_x), move(self.train_y), move(self.test_x),
                              move(self.test_y), self.num_classes, self.fingerprint, move(self.pretrain_x))


def fingerprint(*tensors: Tensor) -> str:
    """sha256 over shapes, dtypes and a strided sample of bytes (fast even for ImageNet-size sets)."""
    h = hashlib.sha256()
    for t in tensors:
        flat = t.detach().reshape(-1).cpu()
        h.update(f"{tuple(t.shape)}{t.dtype}".encode())
        step = max(1, flat.numel() // 65536)
        h.update(flat[::step].contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def _finish(name, train_x, train_y, test_x, test_y, num_classes, pretrain_x=None) -> DatasetTensors:
    parts = [train_x, train_y, test_x, test_y] + ([pretrain_x] if pretrain_x is not None else [])
    return DatasetTensors(name, train_x, train_y, test_x, test_y, num_classes, fingerprint(*parts), pretrain_x)


def _unpickle(path: Path, how: str) -> dict:
    if not path.is_file():
        raise DataError(f"{path}: missing ({how})")
    try:
        with path.open("rb") as fh:
            return pickle.load(fh, encoding="bytes")
    except Exception as exc:  # truncated or not a pickle
        raise DataError(f"{path}: not a CIFAR python-pickle batch ({type(exc).__name__}; {how})") from None


def _cifar_batch(path: Path, label_key: bytes, how: str) -> tuple[Tensor, Tensor]:
    d = _unpickle(path, how)
    if not isinstance(d, dict) or b"data" not in d or label_key not in d:
        raise DataError(f"{path}: no {label_key.decode()!r}/'data' entries; not a CIFAR batch ({how})")
    data = np.asarray(d[b"data"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3072 or len(d[label_key]) != data.shape[0]:
        raise DataError(f"{path}: data has shape {data.shape}, expected [N, 3072] with N labels ({how})")
    return torch.from_numpy(data.reshape(-1, 3, 32, 32).copy()), torch.tensor(d[label_key], dtype=torch.int64)


def _load_cifar(cfg: DataConfig) -> DatasetTensors:
    c100 = cfg.name == "cifar100"
    sub = "cifar-100-python" if c100 else "cifar-10-batches-py"
    how = ("download the python version from https://www.cs.toronto.edu/~kriz/cifar.html "
           "and unpack it into data.root, or set data.download: true")
    root = Path(cfg.root or "data")
    if cfg.download:
        import torchvision

        cls = torchvision.datasets.CIFAR100 if c100 else torchvision.datasets.CIFAR10
        try:
            cls(str(root), train=True, download=True)
            cls(str(root), train=False, download=True)
        except Exception as exc:
            raise DataError(f"{root}: download of {cfg.name} failed ({type(exc).__name__}: {exc})") from None
    folder = root / sub if (root / sub).is_dir() else root
    key = b"fine_labels" if c100 else b"labels"
    train_files = ["train"] if c100 else [f"data_batch_{i}" for i in range(1, 6)]
    parts = [_cifar_batch(folder / f, key, how) for f in train_files]
    test_x, test_y = _cifar_batch(folder / "test", key, how) if c100 else _cifar_batch(folder / "test_batch", key, how)
    train_x, train_y = torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])
    return _finish(cfg.name, train_x, train_y, test_x, test_y, 100 if c100 else 10)


def _stl_images(path: Path, how: str) -> Tensor:
    if not path.is_file():
        raise DataError(f"{path}: missing ({how})")
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % (3 * 96 * 96):
        raise DataError(f"{path}: {raw.size} bytes is not a whole number of 3x96x96 images ({how})")
    # Stored column-major per channel: transpose H and W as torchvision does.
    return torch.from_numpy(raw.reshape(-1, 3, 96, 96).transpose(0, 1, 3, 2).copy())


def _stl_labels(path: Path, n: int, how: str) -> Tensor:
    if not path.is_file():
        raise DataError(f"{path}: missing ({how})")
    y = torch.from_numpy(np.fromfile(path, dtype=np.uint8).astype(np.int64)) - 1
    if y.numel() != n or (y.numel() and (y.min() < 0 or y.max() > 9)):
        raise DataError(f"{path}: {y.numel()} labels in 1..10 expected for {n} images ({how})")
    return y


def _load_stl10(cfg: DataConfig) -> DatasetTensors:
    how = "get stl10_binary.tar.gz from https://cs.stanford.edu/~acoates/stl10/ into data.root, or set data.download: true"
    root = Path(cfg.root or "data")
    if cfg.download:
        import torchvision

        try:
            torchvision.datasets.STL10(str(root), split="train+unlabeled", download=True)
        except Exception as exc:
            raise DataError(f"{root}: download of stl10 failed ({type(exc).__name__}: {exc})") from None
    folder = root / "stl10_binary" if (root / "stl10_binary").is_dir() else root
    train_x, test_x = _stl_images(folder / "train_X.bin", how), _stl_images(folder / "test_X.bin", how)
    train_y = _stl_labels(folder / "train_y.bin", len(train_x), how)
    test_y = _stl_labels(folder / "test_y.bin", len(test_x), how)
    unlabeled = folder / "unlabeled_X.bin"
    pretrain_x = torch.cat([_stl_images(unlabeled, how), train_x]) if unlabeled.is_file() else None
    return _finish("stl10", train_x, train_y, test_x, test_y, 10, pretrain_x)


def load_dataset(cfg: DataConfig):
    """A `DatasetTensors` (in memory) or, for an image folder, a `folder_set.StreamedFolder`."""
    if cfg.name == "synthetic":
        try:
            parts = synthetic_splits(cfg.num_train, cfg.num_test, cfg.num_classes, cfg.seed, cfg.image_size,
                                     cfg.shape_rotation)
        except ValueError as exc:
            raise DataError(f"data.num_classes: {exc}") from None
        return _finish("synthetic", *parts, cfg.num_classes)
    if cfg.name in ("cifar10", "cifar100"):
        return _load_cifar(cfg)
    if cfg.name == "stl10":
        return _load_stl10(cfg)
    if cfg.name == "imagefolder":
        from papernotes.ssl.data.folder_set import load_imagefolder  # streamed: decodes nothing here

        return load_imagefolder(cfg, DataError)
    raise DataError(f"data.name: unknown data set {cfg.name!r}")
