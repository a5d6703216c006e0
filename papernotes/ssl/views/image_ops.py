"""Batched image operations with per-sample parameters (no per-image Python): the building
blocks of the SimCLR view distribution in augment.py. Images are float [N, 3, H, W] in [0, 1];
every parameter is a tensor with one entry per sample, on the images' device.

Colour ops follow torchvision.transforms.v2.functional (the per-image reference the tests
compare against): brightness/contrast/saturation are blends with black / the grey mean / the
grey image, clamped to [0, 1]; hue is a rotation in HSV space (as TF's adjust_hue, which the
official data_util.py uses); greyscale uses ITU-R 601 luma weights (as tf.image.rgb_to_grayscale).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

_LUMA = (0.2989, 0.587, 0.114)


def _per_sample(v: torch.Tensor) -> torch.Tensor:
    return v.view(-1, 1, 1, 1)  # v: [N] -> [N, 1, 1, 1]


def crop_resize_flip(x: torch.Tensor, boxes: torch.Tensor, flip: torch.Tensor, out_size: int,
                     mode: str = "bicubic") -> torch.Tensor:
    """One grid_sample for the whole batch. boxes: [N, 4] (x0, y0, w, h) in pixels; flip: [N].

    Output pixel j of the crop samples source x = x0 + (j + 0.5) * w / out - 0.5 (half-pixel
    centres, as torchvision/TF resize); a horizontal flip mirrors the sampling grid. Taps that
    fall outside the crop read the real neighbouring pixels (clamped at the image border),
    where crop-then-resize would replicate the crop's edge; interiors are identical.
    """
    n, _, h_img, w_img = x.shape
    bx, by, bw, bh = boxes.to(x.dtype).unbind(1)  # each: [N]
    theta = x.new_zeros(n, 2, 3)  # theta: [N, 2, 3], normalised coords, align_corners=False
    sx = bw / w_img
    theta[:, 0, 0] = torch.where(flip, -sx, sx)
    theta[:, 0, 2] = (2 * bx + bw) / w_img - 1
    theta[:, 1, 1] = bh / h_img
    theta[:, 1, 2] = (2 * by + bh) / h_img - 1
    grid = F.affine_grid(theta, [n, 3, out_size, out_size], align_corners=False)
    out = F.grid_sample(x, grid, mode=mode, padding_mode="border", align_corners=False)
    return out.clamp_(0.0, 1.0)  # bicubic overshoots; views live in [0, 1]


def grayscale(x: torch.Tensor) -> torch.Tensor:
    r, g, b = x.unbind(1)
    return (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b).unsqueeze(1)  # [N, 1, H, W]


def blend(x: torch.Tensor, base: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """factor * x + (1 - factor) * base, clamped; factor: [N]."""
    f = _per_sample(factor)
    return (f * x + (1.0 - f) * base).clamp(0.0, 1.0)


def adjust_brightness(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    # data_util.py random_brightness, impl 'simclrv2': multiplicative factor
    return blend(x, torch.zeros_like(x), factor)


def adjust_contrast(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    return blend(x, grayscale(x).mean(dim=(1, 2, 3), keepdim=True), factor)


def adjust_saturation(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    return blend(x, grayscale(x), factor)


def rgb_to_hsv(x: torch.Tensor) -> torch.Tensor:
    """h = (2i + (c[i+1] - c[i+2]) / delta) / 6 mod 1, where i is the max channel (r wins ties,
    then g, as torchvision); s = delta / max; v = max. Grey pixels (delta 0) get h = s = 0."""
    r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]  # each: [N, 1, H, W]
    maxc = x.amax(dim=1, keepdim=True)  # amax: max-with-indices is ~50x slower on CPU
    minc = x.amin(dim=1, keepdim=True)
    delta = maxc - minc
    gray = delta == 0
    safe = torch.where(gray, torch.ones_like(delta), delta)
    is_r = r == maxc
    is_g = (g == maxc) & ~is_r
    h = torch.where(is_r, (g - b) / safe,
                    torch.where(is_g, 2.0 + (b - r) / safe, 4.0 + (r - g) / safe)) / 6.0
    h = torch.where(gray, torch.zeros_like(h), torch.remainder(h, 1.0))
    s = torch.where(gray, torch.zeros_like(delta), delta / torch.where(gray, torch.ones_like(maxc), maxc))
    return torch.cat([h, s, maxc], dim=1)  # [N, 3, H, W], all in [0, 1]


def hsv_to_rgb(hsv: torch.Tensor) -> torch.Tensor:
    """Closed form per channel: c = v - v*s*clamp(min(k, 4 - k), 0, 1), k = (n + 6h) mod 6,
    n = 5, 3, 1 for r, g, b (equivalent to the six-sector table, without materialising it)."""
    h, s, v = hsv[:, 0:1], hsv[:, 1:2], hsv[:, 2:3]  # each: [N, 1, H, W]
    n = (5.0 - 2.0 * torch.arange(3, device=hsv.device, dtype=hsv.dtype)).view(1, 3, 1, 1)
    k = torch.remainder(n + h * 6.0, 6.0)  # k: [N, 3, H, W]
    return v - v * s * torch.minimum(k, 4.0 - k).clamp(0.0, 1.0)


def adjust_hue(x: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """Rotate the hue by `delta` (fraction of a turn, [N]) in HSV space."""
    hsv = rgb_to_hsv(x)
    h = torch.remainder(hsv[:, 0] + delta.view(-1, 1, 1), 1.0)
    return hsv_to_rgb(torch.stack([h, hsv[:, 1], hsv[:, 2]], dim=1)).clamp(0.0, 1.0)


def gaussian_blur(x: torch.Tensor, sigma: torch.Tensor, kernel_size: int) -> torch.Tensor:
    """Separable Gaussian blur, a different sigma per sample ([N]); odd kernel_size.

    Kernel as data_util.py gaussian_blur (exp(-x^2 / 2 sigma^2) over [-r, r], normalised);
    reflect padding as torchvision's gaussian_blur (the official code zero-pads, 'SAME').
    """
    n, c, h, w = x.shape
    r = kernel_size // 2
    pos = torch.arange(-r, r + 1, device=x.device, dtype=x.dtype)  # pos: [K]
    k = torch.exp(-0.5 * (pos.view(1, -1) / sigma.to(x.dtype).view(-1, 1)) ** 2)  # k: [N, K]
    k = (k / k.sum(dim=1, keepdim=True)).repeat_interleave(c, dim=0)  # k: [N*C, K]
    y = x.reshape(1, n * c, h, w)  # one depthwise conv over all samples and channels
    y = F.pad(y, (r, r, r, r), mode="reflect")
    y = F.conv2d(y, k.view(n * c, 1, 1, -1), groups=n * c)
    y = F.conv2d(y, k.view(n * c, 1, -1, 1), groups=n * c)
    return y.view(n, c, h, w)


def solarize(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """byol/utils/augmentations.py `_solarize`: x where x < threshold, else 1 - x (x in [0, 1])."""
    return torch.where(x < threshold, x, 1.0 - x)
