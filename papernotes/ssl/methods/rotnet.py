"""RotNet (Gidaris, Singh, Komodakis, ICLR 2018), gidariss/FeatureLearningRotNet: every image
of the batch is shown in all four rotations, 0, 90, 180 and 270 degrees (dataloader.py
`rotate_img` and the unsupervised `_load_function`, which returns the four copies with labels
0..3), and a classifier on the encoder's features predicts which one (cross-entropy,
config `criterions['loss'] = CrossEntropyLoss`). The cheapest method: one network, one loss.

The rotations are exact (torch.rot90, counter-clockwise as the official flipud(transpose)), so
they leave no interpolation artefacts. Before rotating, each image gets one random crop and flip
shared by its four copies: the official CIFAR loader's RandomCrop(32, padding=4) + flip
(`rotnet.pad_crop: 4`) or its ImageNet RandomSizedCrop + flip (area U[aug.crop_min_area, 1]).

The classifier: NIN's (architectures/NetworkInNetwork.py: global average pooling then one Linear,
`rotnet.head_hidden: []`) or AlexNet's (architectures/AlexNet.py: Linear without bias -> BN ->
ReLU per hidden width, then Linear, `rotnet.head_hidden: [4096, 4096]`). The online probe learns
from the upright copies' features only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.config.option_checks import positive
from papernotes.ssl.methods.base import Method, fp32
from papernotes.ssl.registry import register_method
from papernotes.ssl.views import image_ops
from papernotes.ssl.views.augment import crop_flip_view, sample_flip

ROTATIONS = 4  # 0, 90, 180, 270 degrees: labels 0..3


def rotation_head(in_dim: int, hidden: tuple[int, ...]) -> nn.Sequential:
    layers: list[nn.Module] = []
    dim = in_dim
    for width in hidden:
        layers += [nn.Linear(dim, width, bias=False), nn.BatchNorm1d(width), nn.ReLU(inplace=True)]
        dim = width
    layers.append(nn.Linear(dim, ROTATIONS))
    return nn.Sequential(*layers)


def pad_crop_flip(x: Tensor, pad: int, out_size: int, generator=None) -> Tensor:
    """torchvision RandomCrop(size, padding=pad) (zero padding) + RandomHorizontalFlip, batched:
    whole-pixel offsets U{0..2 pad} into the zero-padded image, sampled exactly at pixel centres."""
    n, _, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    gen_device = generator.device if generator is not None else x.device
    off = torch.randint(0, 2 * pad + 1, (n, 2), generator=generator, device=gen_device).to(x.device, x.dtype)
    boxes = torch.stack([off[:, 0], off[:, 1], torch.full_like(off[:, 0], w), torch.full_like(off[:, 0], h)], dim=1)
    return image_ops.crop_resize_flip(xp, boxes, sample_flip(n, generator, x.device), out_size)


@dataclass(frozen=True)
class RotNetOptions:
    """gidariss/FeatureLearningRotNet: the rotation classifier and the crop before rotating."""
    head_hidden: tuple[int, ...] = ()  # (): NIN's Linear on pooled features; AlexNet: (4096, 4096)
    pad_crop: int = 0  # > 0: RandomCrop(size, padding=pad_crop) (CIFAR loader: 4); 0: resized crop

    def check(self, cfg: Any) -> None:
        for i, width in enumerate(self.head_hidden):
            positive(f"rotnet.head_hidden[{i}]", width)
        if self.pad_crop < 0:
            raise ConfigError("rotnet.pad_crop", f"must be >= 0, got {self.pad_crop}")


@register_method("rotnet", options=RotNetOptions)
class RotNet(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        self.classifier = rotation_head(self.feature_dim, tuple(self.options.head_hidden))

    def views(self, images: Tensor, generator: torch.Generator | None) -> list[Tensor]:
        """uint8 [n, 3, H, W] -> 4 x [n, 3, S, S]: one crop + flip per image, then its 4 rotations."""
        x = images.float().div_(255.0)
        pad = self.options.pad_crop
        if pad > 0:
            v = pad_crop_flip(x, pad, self.cfg.data.image_size, generator)
        else:
            v = crop_flip_view(x, self.cfg.data.image_size, self.cfg.aug.crop_min_area, generator)
        return [torch.rot90(v, k, dims=(2, 3)) for k in range(ROTATIONS)]

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        n = views[0].shape[0]
        h = self.encoder(torch.cat(views))  # [4n, feature_dim], rotation k in rows k*n .. (k+1)*n
        logits = self.classifier(h)  # [4n, 4]
        labels = torch.arange(ROTATIONS, device=h.device).repeat_interleave(n)
        with fp32(logits):
            loss = F.cross_entropy(logits.float(), labels)
        return loss, h[:n]  # the upright copies
