"""The file list of an ImageFolder split (ImageNet layout: <split>/<class>/<image>), read once at
start and never decoded: paths and labels as numpy arrays.

After torchvision.datasets.ImageFolder (`find_classes`: sorted folder names) and, for a subset
such as ImageNet-100, solo-learn's class-list file (one class folder name a line). The index is
numpy, not Python lists: DataLoader worker processes read it through copy-on-write pages, and a
list of Python strings would be copied into every worker as its reference counts change
(pytorch/pytorch#13246). About 100 bytes an image, the only thing that grows with the data set.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGE_EXTS = (".jpg", ".jpeg", ".png")  # ImageNet-1k train holds one PNG and a few CMYK JPEGs


@dataclass(frozen=True)
class FolderIndex:
    root: str  # the split's folder
    names: np.ndarray  # bytes [N]: "<class>/<file>" relative to root
    labels: np.ndarray  # int64 [N]
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.names.shape[0])

    def path(self, i: int) -> str:
        return f"{self.root}/{self.names[i].decode()}"

    def fingerprint(self) -> str:
        """sha256 over the count, the classes and a strided sample of the names (no file read)."""
        h = hashlib.sha256(f"{len(self)}|{'|'.join(self.classes)}".encode())
        step = max(1, len(self) // 4096)
        h.update(b"\0".join(self.names[::step].tolist()))
        return h.hexdigest()[:16]


def read_class_list(path: Path, error: type[Exception]) -> list[str]:
    """solo-learn's ImageNet-100 list: one class folder name a line (blank lines and # comments skipped)."""
    if not path.is_file():
        raise error(f"{path}: class-list file missing (one class folder name a line, e.g. n01558993)")
    names = [ln.split("#")[0].strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    names = [n for n in names if n]
    if not names:
        raise error(f"{path}: class-list file names no class folder")
    return names


def scan_split(folder: Path, classes: list[str] | None, how: str, error: type[Exception]) -> FolderIndex:
    """The images of `folder` in class order, then file-name order. `classes`: the label order
    (the train split's, or a class list); None: the sorted class folders found."""
    if not folder.is_dir():
        raise error(f"{folder}: missing ({how})")
    found = sorted(p.name for p in folder.iterdir() if p.is_dir())
    if classes is None:
        classes = found
    elif missing := [c for c in classes if c not in found]:
        raise error(f"{folder}: class folder {missing[0]!r} missing ({len(missing)} of the {len(classes)} listed; {how})")
    if not classes:
        raise error(f"{folder}: no class folders ({how})")
    names: list[bytes] = []
    labels: list[int] = []
    for idx, name in enumerate(classes):
        files = sorted(e.name for e in (folder / name).iterdir() if e.is_file() and e.suffix.lower() in IMAGE_EXTS)
        names.extend(f"{name}/{f}".encode() for f in files)
        labels.extend([idx] * len(files))
    if not names:
        raise error(f"{folder}: no JPEG files in its class folders ({how})")
    return FolderIndex(str(folder), np.array(names), np.array(labels, dtype=np.int64), tuple(classes))
