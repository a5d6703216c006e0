"""Multi-crop (SwAV, Caron et al. 2020; DINO, Caron et al. 2021): a few large crops and several
small ones of each image, built batched on the images' device, and the encoder run once per
resolution.

Views: crop i has its own side and crop-area range; everything else comes from the AugConfig as
for the two-view methods (`augment.one_view`: flip, colour jitter, greyscale, then blur and
solarisation with crop i's per-view probability, `aug.blur_prob[i]`, the last entry repeating).
Consecutive crops with the same side, area range and probabilities are drawn in ONE call on the
batch repeated (one grid_sample, one jitter pass for all six local crops), then split: each crop
still gets its own independent parameters, as the official per-image transforms draw them.

Forward: `forward_by_resolution` is the official `MultiCropWrapper.forward` (dino utils.py; the
same loop is swav src/resnet50.py `ResNet.forward`): consecutive views of equal side are
concatenated and go through the backbone together, so BatchNorm statistics are per resolution
group, and the outputs are concatenated in view order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from papernotes.ssl.views.augment import one_view, per_view
from papernotes.ssl.views.cropped import Cropped


@dataclass(frozen=True)
class Crop:
    size: int  # output side in pixels
    scale: tuple[float, float]  # crop area as a fraction of the image, (min, max)


def crops_of(counts: Sequence[int], sizes: Sequence[int], scales: Sequence[tuple[float, float]]) -> list[Crop]:
    """counts[g] crops of side sizes[g] and area range scales[g], group after group."""
    return [Crop(int(s), (float(sc[0]), float(sc[1]))) for n, s, sc in zip(counts, sizes, scales) for _ in range(n)]


def multicrop_views(images: Tensor, aug, crops: Sequence[Crop], generator: torch.Generator | None) -> list[Tensor]:
    """uint8 [n, 3, H, W] -> one float view [n, 3, s_i, s_i] per crop, in crop order. A
    `Cropped` batch (streamed) brings its crops cut from the full image: the rest is the same."""
    cropped = isinstance(images, Cropped)
    x = None if cropped else images.float().div_(255.0)  # x: [n, 3, H, W]
    n = len(images) if cropped else x.shape[0]

    def key(i: int):
        return (crops[i], per_view(aug.blur_prob, i, 0.5 if aug.blur else 0.0), per_view(aug.solarize_prob, i, 0.0))

    views: list[Tensor] = []
    start = 0
    while start < len(crops):
        end = start + 1
        while end < len(crops) and key(end) == key(start):
            end += 1
        k = end - start
        if cropped:  # [k*n, 3, s, s]: the k crops of the group, already cut
            batch = torch.cat([images.as_float(i) for i in range(start, end)])
        else:
            batch = x if k == 1 else x.repeat(k, 1, 1, 1)  # [k*n, 3, H, W]
        out = one_view(batch, aug, crops[start].size, generator, view=start, scale=crops[start].scale,
                       cropped=cropped)
        views.extend(out.split(n))  # k x [n, 3, s, s]
        start = end
    return views


def at_least_f32(x: Tensor) -> Tensor:
    """bf16/fp16 promoted to float32 for the losses (float64, in tests, stays float64)."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


def forward_by_resolution(backbone: nn.Module, views: Sequence[Tensor]) -> Tensor:
    """MultiCropWrapper.forward: one backbone pass per run of equal-side views; [sum n_i, dim]."""
    outs = []
    start = 0
    while start < len(views):
        end = start + 1
        while end < len(views) and views[end].shape[-1] == views[start].shape[-1]:
            end += 1
        outs.append(backbone(torch.cat(list(views[start:end])) if end - start > 1 else views[start]))
        start = end
    return torch.cat(outs) if len(outs) > 1 else outs[0]
