"""A generated ImageFolder of real JPEG files (written with PIL), for the streamed data path."""

from pathlib import Path

import numpy as np
from PIL import Image


def write_jpeg_folder(root: Path, classes: int = 3, train_per_class: int = 8, val_per_class: int = 2,
                      seed: int = 0, size: tuple[int, int] | None = None) -> Path:
    """root/train/c<k>/<i>.JPEG and root/val/...: each image its own size (or `size` = (w, h)) and noise,
    its class's colour channel bright."""
    rng = np.random.default_rng(seed)
    for split, per in (("train", train_per_class), ("val", val_per_class)):
        for c in range(classes):
            folder = root / split / f"c{c}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(per):
                w, h = size if size else (int(rng.integers(40, 90)), int(rng.integers(30, 70)))
                a = rng.integers(0, 60, (h, w, 3), dtype=np.uint8)
                a[..., c % 3] += 180
                Image.fromarray(a).save(folder / f"{i:03d}.JPEG", quality=90)
    return root
