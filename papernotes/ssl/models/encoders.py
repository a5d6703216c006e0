"""Encoders (torchvision ResNet-18/34/50, any width; ViTs in vit.py) and the SimCLR projection head (the other
methods' heads live with their method in `papernotes/ssl/methods/`).

One code path for every size: `_ResNet` is torchvision's ResNet (its blocks, `_make_layer` and
`_forward_impl`) built with stage widths c, 2c, 4c, 8c where c = base_channels * width.
c = 64 gives torchvision's ResNets exactly; width 2/4 scales every channel as the official
resnet.py does for ResNet-50 (2x)/(4x) (filters = 64 * width_multiplier, output dim 2048*w);
small c gives the tiny CPU demo models.
"""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

from papernotes.ssl.registry import backbones, register_backbone

_LAYOUTS = {
    "resnet18": (BasicBlock, [2, 2, 2, 2]),
    "resnet34": (BasicBlock, [3, 4, 6, 3]),
    "resnet50": (Bottleneck, [3, 4, 6, 3]),
}
# fixed input normalisation (ImageNet statistics); the official code feeds [0, 1] directly and
# the first BN makes the difference immaterial, but normalised inputs suit a random-init probe
_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


class _ResNet(ResNet):
    """torchvision ResNet with stage widths from `channels`, fc = Identity, inputs in [0, 1]."""

    def __init__(self, block, layers: list[int], channels: int, cifar_stem: bool) -> None:
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = channels, 1, 1, 64
        if cifar_stem:
            # official resnet.py, CIFAR (image_size <= 32): 3x3 stride-1 conv, no max-pool
            self.conv1 = nn.Conv2d(3, channels, kernel_size=3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(3, channels, kernel_size=7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = self._make_layer(block, channels, layers[0])
        self.layer2 = self._make_layer(block, channels * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, channels * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, channels * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Identity()  # the representation h is the pooled feature
        self.feature_dim = channels * 8 * block.expansion
        self.register_buffer("mean", torch.tensor(_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_STD).view(1, 3, 1, 1), persistent=False)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        # official resnet.py residual blocks: the last BN of each branch has init_zero=True
        for m in self.modules():
            if isinstance(m, Bottleneck):
                nn.init.zeros_(m.bn3.weight)
            elif isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: [N, 3, H, W] float in [0, 1]
        x = (x - self.mean) / self.std  # elementwise: keeps channels_last
        return self._forward_impl(x)  # h: [N, feature_dim]


def build_encoder(cfg, image_size: int) -> tuple[nn.Module, int]:
    """`cfg`: a ModelConfig. Returns (encoder, feature dim) from the backbone registered as
    `cfg.arch` (`register_backbone`); encoder(x [N,3,H,W] float in [0, 1]) -> [N, dim]."""
    build = backbones().get(cfg.arch)
    if build is None:
        raise ValueError(f"unknown arch {cfg.arch!r}")
    return build(cfg, image_size)


def build_resnet(cfg, image_size: int) -> tuple[nn.Module, int]:
    """torchvision's ResNet-18/34/50 layout at `cfg.base_channels * cfg.width`."""
    if image_size < 8:
        raise ValueError(f"image_size {image_size} is too small for a ResNet")
    block, layers = _LAYOUTS[cfg.arch]
    encoder = _ResNet(block, layers, cfg.base_channels * cfg.width, cfg.cifar_stem)
    return encoder, encoder.feature_dim


for _arch in _LAYOUTS:
    register_backbone(_arch)(build_resnet)


class ProjectionHead(nn.Module):
    """g(.) of the paper (Sec. 2.1), as model_util.py `projection_head` ('nonlinear' mode).

    Every layer is linear_layer(use_bn=True): a dense layer WITHOUT bias followed by BN. Middle
    layers: width = in_dim, BN with centre and scale, then ReLU. Last layer: out_dim, BN with
    `center=use_bias=False` (scale kept, resnet.batch_norm_relu default), no ReLU. The missing
    centre is a BN shift frozen at zero (requires_grad False), so optimisers skip it.
    """

    def __init__(self, in_dim: int, depth: int = 2, out_dim: int = 128) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError("projection head depth must be >= 1")
        layers: list[nn.Module] = []
        dim = in_dim
        for j in range(depth):
            last = j == depth - 1
            width = out_dim if last else in_dim
            layers.append(nn.Linear(dim, width, bias=False))
            bn = nn.BatchNorm1d(width)
            if last:
                bn.bias.requires_grad_(False)  # center=False: shift fixed at 0
            layers.append(bn)
            if not last:
                layers.append(nn.ReLU(inplace=True))
            dim = width
        self.net = nn.Sequential(*layers)
        self.out_dim = out_dim

    def forward(self, h: torch.Tensor) -> torch.Tensor:  # h: [N, in_dim]
        return self.net(h)  # z: [N, out_dim]

