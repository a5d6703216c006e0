"""One image from its file: decode (CPU, or nvJPEG through `torchvision.io.decode_jpeg(device=
"cuda")`), then the crops cut from the full-resolution image.

Training crops are torchvision's RandomResizedCrop (`get_params`: area U[lo, hi] of the image,
log-uniform aspect in [3/4, 4/3], 10 tries, then the centre crop; `augment.sample_crop_params`
is that draw), resized to the view's side with bicubic antialiasing, as main_moco.py,
main_pretrain.py, DINO's DataAugmentationDINO and SwAV's MultiCropDataset cut them: every view of
an image comes from the one decode. The evaluation transform is Resize(256) + CenterCrop(224)
(main_lincls.py, eval_linear.py), scaled as 256/224 of the view side for other sizes.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from papernotes.ssl.views.augment import sample_crop_params

EVAL_RESIZE_RATIO = 256 / 224  # Resize(256) + CenterCrop(224)


def read_bytes(path: str) -> Tensor:
    with open(path, "rb") as fh:
        return torch.frombuffer(bytearray(fh.read()), dtype=torch.uint8)


def decode(data: Tensor) -> Tensor | None:
    """uint8 [3, H, W] on the CPU, or None for a file that is not a whole, readable image."""
    import torchvision.io as tio

    try:
        return tio.decode_image(data, mode=tio.ImageReadMode.RGB)
    except RuntimeError:  # corrupt, truncated, or not an image at all
        return None


def decode_on_device(datas: Sequence[Tensor], device: torch.device) -> list[Tensor | None]:
    """A batch of JPEG bytes decoded on the GPU (nvJPEG); a file nvJPEG refuses (PNG, CMYK,
    corrupt) is tried on the CPU, then None."""
    import torchvision.io as tio

    try:
        return list(tio.decode_jpeg(list(datas), mode=tio.ImageReadMode.RGB, device=device))
    except RuntimeError:
        out: list[Tensor | None] = []
        for d in datas:
            try:
                out.append(tio.decode_jpeg(d, mode=tio.ImageReadMode.RGB, device=device))
            except RuntimeError:
                img = decode(d)
                out.append(None if img is None else img.to(device))
        return out


def _resize(img: Tensor, top: int, left: int, h: int, w: int, size: int) -> Tensor:
    import torchvision.transforms.v2.functional as TF

    return TF.resized_crop(img, top, left, h, w, [size, size],
                           interpolation=TF.InterpolationMode.BICUBIC, antialias=True)


def random_crops(img: Tensor, crops: Sequence, generator: torch.Generator) -> list[Tensor]:
    """uint8 [3, H, W] -> one uint8 [3, s_i, s_i] per crop (`Crop(size, scale)`), each drawn
    from the full image with the CPU `generator`."""
    _, h, w = img.shape
    out = []
    for c in crops:
        x0, y0, cw, ch = (int(v) for v in sample_crop_params(1, h, w, c.scale[0], generator=generator,
                                                            max_area=c.scale[1])[0].tolist())
        out.append(_resize(img, y0, x0, ch, cw, c.size))
    return out


def eval_view(img: Tensor, size: int) -> Tensor:
    """Resize the shorter side to round(size * 256/224), then the centre size x size."""
    import torchvision.transforms.v2.functional as TF

    short = round(size * EVAL_RESIZE_RATIO)
    img = TF.resize(img, [short], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    return TF.center_crop(img, [size, size])
