"""ImageFolder (ImageNet layout) read into one uint8 tensor: JPEGs decoded in batches
(`torchvision.io.decode_jpeg` on the GPU when there is one), shorter side resized to `size`,
then center-cropped to size x size."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor

_EXTS = {".jpg", ".jpeg", ".JPG", ".JPEG"}
_BATCH = 256


def _fit(img: Tensor, size: int) -> Tensor:
    """[3, h, w] uint8 -> [3, size, size]: resize the shorter side, center crop."""
    import torch.nn.functional as F

    _, h, w = img.shape
    if img.shape[0] == 1:
        img = img.expand(3, h, w)
    scale = size / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    if (nh, nw) != (h, w):
        img = F.interpolate(img[None].float(), size=(nh, nw), mode="bilinear", antialias=True,
                            align_corners=False)[0].round().clamp(0, 255).to(torch.uint8)
    top, left = (nh - size) // 2, (nw - size) // 2
    return img[:, top:top + size, left:left + size]


def read_split(folder: Path, size: int, classes: list[str] | None, how: str, error: type[Exception]):
    """Images uint8 [N, 3, size, size], labels int64 [N], class names (sorted folder names)."""
    import torchvision.io as tio

    if not folder.is_dir():
        raise error(f"{folder}: missing ({how})")
    found = sorted(p.name for p in folder.iterdir() if p.is_dir())
    classes = classes if classes is not None else found
    if not classes:
        raise error(f"{folder}: no class folders ({how})")
    files, labels = [], []
    for idx, name in enumerate(classes):
        for p in sorted((folder / name).glob("*")) if (folder / name).is_dir() else []:
            if p.suffix in _EXTS:
                files.append(p)
                labels.append(idx)
    if not files:
        raise error(f"{folder}: no JPEG files in its class folders ({how})")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out = torch.empty(len(files), 3, size, size, dtype=torch.uint8)
    for start in range(0, len(files), _BATCH):
        chunk = files[start:start + _BATCH]
        data = [tio.read_file(str(p)) for p in chunk]
        try:
            decoded = tio.decode_jpeg(data, mode=tio.ImageReadMode.RGB, device=device)
        except RuntimeError:
            decoded = []
            for p, d in zip(chunk, data):  # find the bad file for the message
                try:
                    decoded.append(tio.decode_jpeg(d, mode=tio.ImageReadMode.RGB))
                except RuntimeError:
                    raise error(f"{p}: not a readable JPEG ({how})") from None
        for i, img in enumerate(decoded):
            out[start + i] = _fit(img, size).cpu()
    return out, torch.tensor(labels, dtype=torch.int64), classes
