"""The embedded data set: 32x32 RGB shapes with nuisance variation, generated with torch only.

Each image is one of ten shapes (the class) drawn with a signed-distance function, at a random
position, scale and rotation, in a random foreground colour over a random background colour,
on top of clutter (random discs and a line) and pixel noise. Raw pixels are dominated by the
nuisances (colour, position, clutter), so a linear probe on pixels does poorly, while an encoder
that learned invariance to crops and colour (SimCLR's augmentations) separates the shapes.

The data set is a pure function of (seed, n): generated on the CPU with a seeded
`torch.Generator`, chunk by chunk, fully batched (no per-image Python).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

SHAPES = ("disc", "ring", "square", "triangle", "plus", "star", "bars", "crescent", "ell", "half_disc")
_CHUNK = 2048


def _box(x: Tensor, y: Tensor, hx: float, hy: float) -> Tensor:
    qx, qy = x.abs() - hx, y.abs() - hy
    outside = torch.sqrt(qx.clamp(min=0) ** 2 + qy.clamp(min=0) ** 2)
    return outside + torch.maximum(qx, qy).clamp(max=0)


def _polygon(x: Tensor, y: Tensor, sides: int, apothem: float) -> Tensor:
    d = None
    for k in range(sides):
        a = 2 * math.pi * k / sides + math.pi / 2
        h = x * math.cos(a) + y * math.sin(a) - apothem
        d = h if d is None else torch.maximum(d, h)
    return d


def _shape_sdf(cls: int, x: Tensor, y: Tensor) -> Tensor:
    """Signed distance (negative inside) of shape `cls` in unit local coordinates."""
    r = torch.sqrt(x * x + y * y)
    if cls == 0:
        return r - 1.0
    if cls == 1:
        return (r - 0.72).abs() - 0.28
    if cls == 2:
        return _box(x, y, 0.8, 0.8)
    if cls == 3:
        return _polygon(x, y, 3, 0.5)
    if cls == 4:
        return torch.minimum(_box(x, y, 1.0, 0.3), _box(x, y, 0.3, 1.0))
    if cls == 5:
        phi = torch.atan2(y, x)
        return r - (0.55 + 0.45 * torch.cos(5 * phi).clamp(min=0) ** 2)
    if cls == 6:
        return torch.minimum(_box(x, y - 0.55, 1.0, 0.22), _box(x, y + 0.55, 1.0, 0.22))
    if cls == 7:
        return torch.maximum(r - 1.0, -(torch.sqrt((x - 0.5) ** 2 + y * y) - 0.75))
    if cls == 8:
        return torch.minimum(_box(x + 0.6, y, 0.3, 1.0), _box(x, y + 0.7, 0.9, 0.3))
    if cls == 9:
        return torch.maximum(r - 1.0, -y - 0.1)
    raise ValueError(f"no shape {cls}")


def _hsv_to_rgb(h: Tensor, s: Tensor, v: Tensor) -> Tensor:
    """h, s, v in [0, 1], shape [N] -> [N, 3]."""
    k = torch.stack([(5 + h * 6) % 6, (3 + h * 6) % 6, (1 + h * 6) % 6], dim=1)
    f = (torch.minimum(k, 4 - k)).clamp(0, 1)
    return v[:, None] - v[:, None] * s[:, None] * f


def _u(g: torch.Generator, n: int, lo: float, hi: float) -> Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=g)


def _chunk(labels: Tensor, size: int, g: torch.Generator, max_rotation: float = 180.0) -> Tensor:
    n = labels.numel()
    axis = (torch.arange(size, dtype=torch.float32) + 0.5) / size * 2 - 1
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    gx, gy = gx.expand(n, size, size), gy.expand(n, size, size)
    px = 2.0 / size  # one pixel in normalised units: the anti-aliasing width
    # Background colour and a contrasting foreground (value shifted by ~0.5).
    bg_v = _u(g, n, 0.1, 0.9)
    fg_v = torch.where(bg_v < 0.5, bg_v + _u(g, n, 0.35, 0.5), bg_v - _u(g, n, 0.35, 0.5))
    bg = _hsv_to_rgb(torch.rand(n, generator=g), _u(g, n, 0.2, 1.0), bg_v)
    fg = _hsv_to_rgb(torch.rand(n, generator=g), _u(g, n, 0.3, 1.0), fg_v)
    img = bg[:, :, None, None].expand(n, 3, size, size).clone()
    # Clutter: three discs and one line in random colours, under the shape.
    for _ in range(3):
        cx, cy, rad = _u(g, n, -1, 1), _u(g, n, -1, 1), _u(g, n, 0.04, 0.12)
        d = torch.sqrt((gx - cx[:, None, None]) ** 2 + (gy - cy[:, None, None]) ** 2) - rad[:, None, None]
        a = (0.5 - d / px).clamp(0, 1)[:, None]
        col = torch.rand(n, 3, generator=g)[:, :, None, None]
        img = img * (1 - a) + col * a
    ang, off = _u(g, n, 0, math.pi), _u(g, n, -0.8, 0.8)
    d = (gx * torch.cos(ang)[:, None, None] + gy * torch.sin(ang)[:, None, None] - off[:, None, None]).abs() - 0.03
    a = (0.5 - d / px).clamp(0, 1)[:, None]
    img = img * (1 - a) + torch.rand(n, 3, generator=g)[:, :, None, None] * a
    # The shape: rotate, scale and translate the grid into the shape's local frame.
    cx, cy = _u(g, n, -0.3, 0.3), _u(g, n, -0.3, 0.3)
    scale, rot = _u(g, n, 0.4, 0.65), _u(g, n, 0, 2 * math.pi)
    if max_rotation < 180:  # the same draw mapped onto U(-r, r): an upright pose up to r degrees
        rot = (rot / math.pi - 1.0) * math.radians(max_rotation)
    c, s = torch.cos(rot)[:, None, None], torch.sin(rot)[:, None, None]
    dx, dy = gx - cx[:, None, None], gy - cy[:, None, None]
    lx, ly = (c * dx + s * dy) / scale[:, None, None], (-s * dx + c * dy) / scale[:, None, None]
    sdf = torch.empty(n, size, size)
    for k in labels.unique().tolist():
        m = labels == k
        sdf[m] = _shape_sdf(int(k), lx[m], ly[m]) * scale[m][:, None, None]
    a = (0.5 - sdf / px).clamp(0, 1)[:, None]
    img = img * (1 - a) + fg[:, :, None, None] * a
    img = img + 0.04 * torch.randn(img.shape, generator=g)
    return (img.clamp(0, 1) * 255).round().to(torch.uint8)


def generate(n: int, num_classes: int = 10, seed: int = 0, size: int = 32,
             max_rotation: float = 180.0) -> tuple[Tensor, Tensor]:
    """`n` images uint8 [n, 3, size, size] and balanced labels int64 [n], a pure function of the args.

    Shapes are turned by any angle (max_rotation 180, the default) or by U(-r, r) degrees: with
    small r every shape has an upright pose, the premise of rotation prediction (RotNet), which
    the default data set, invariant to rotations by construction, cannot reward."""
    if not 2 <= num_classes <= len(SHAPES):
        raise ValueError(f"the embedded data set has 2..{len(SHAPES)} classes, not {num_classes}")
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % num_classes
    labels = labels[torch.randperm(n, generator=g)]
    images = torch.empty(n, 3, size, size, dtype=torch.uint8)
    for start in range(0, n, _CHUNK):
        images[start:start + _CHUNK] = _chunk(labels[start:start + _CHUNK], size, g, max_rotation)
    return images, labels


def synthetic_splits(num_train: int, num_test: int, num_classes: int, seed: int, size: int = 32,
                     max_rotation: float = 180.0):
    """Train and test sets from independent streams, so num_train never changes the test set."""
    train_x, train_y = generate(num_train, num_classes, seed * 2 + 0, size, max_rotation)
    test_x, test_y = generate(num_test, num_classes, seed * 2 + 1, size, max_rotation)
    return train_x, train_y, test_x, test_y
