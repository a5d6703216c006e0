"""MAE with a convolutional encoder: the "would a CNN work?" patch of the patching post's MAE
example, after SparK (Tian et al. 2023) and ConvNeXt V2 (Woo et al. 2023): a ConvNet cannot drop
the masked patches as a ViT does, so it convolves the whole grid and zeroes the masked positions
after every layer (a dense emulation of their sparse convolutions: nothing leaks from a masked
patch into a visible one); the decoder fills the masked positions with a learned token and
predicts every patch's pixels; the loss is MAE's, on the removed patches.

Two registrations in one file: the backbone `masked_convnet` (`model.arch`; a patchify stem and
ConvNeXt-style blocks, LayerNorm rather than BatchNorm, whose statistics the zeros would skew)
and the method `mae_conv` (MAE's options, views and loss; its own convolutional decoder).

    papernotes idea add mae "a masked ConvNet instead of the ViT" --repro mae --profile demo \\
        --kind architecture --set method=mae_conv --set model.arch=masked_convnet \\
        --set model.vit_depth=null --expect "eval/linear_top1 >= +1"
    papernotes idea run mae 1 --seeds 3 --device cpu

The ConvNet's width is `model.base_channels`, its stem stride `model.patch_size` (one feature
per MAE patch), its depth `mae_conv.depth`.
"""

from dataclasses import dataclass

import torch
from torch import nn

from papernotes.ssl.config import ConfigError
from papernotes.ssl.losses import mae_loss, patchify
from papernotes.ssl.methods import MAE, register_method
from papernotes.ssl.methods.base import Method, fp32
from papernotes.ssl.methods.mae import random_masking
from papernotes.ssl.models import register_backbone

_MEAN, _STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


class Block(nn.Module):
    """ConvNeXt's block: depthwise 7x7, LayerNorm over channels, pointwise MLP, residual."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dw = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):  # x: [N, C, g, g]
        y = self.norm(self.dw(x).permute(0, 2, 3, 1))
        return x + self.mlp(y).permute(0, 3, 1, 2)


class MaskedConvNet(nn.Module):
    """forward(x [N, 3, H, W] in [0, 1]) -> [N, width]; `masked_map(x, keep)` the feature map
    [N, width, g, g] with the masked positions (keep 0) held at zero through every layer."""

    def __init__(self, width: int, depth: int, patch_size: int, image_size: int) -> None:
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"patch size {patch_size} does not divide the image size {image_size}")
        self.patch_size, self.grid, self.feature_dim = patch_size, image_size // patch_size, width
        self.stem = nn.Conv2d(3, width, patch_size, stride=patch_size)  # one feature per patch
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))
        self.norm = nn.LayerNorm(width, eps=1e-6)
        self.register_buffer("mean", torch.tensor(_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_STD).view(1, 3, 1, 1), persistent=False)

    def normalize(self, x):
        return (x - self.mean) / self.std

    def masked_map(self, x, keep=None):
        h = self.stem(self.normalize(x))
        for blk in self.blocks:
            h = blk(h * keep) if keep is not None else blk(h)
        h = self.norm(h.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        return h * keep if keep is not None else h

    def forward(self, x):
        return self.masked_map(x).mean(dim=(2, 3))


@register_backbone("masked_convnet")
def masked_convnet(model_cfg, image_size):
    net = MaskedConvNet(model_cfg.base_channels, 4, model_cfg.patch_size, image_size)
    return net, net.feature_dim


@dataclass(frozen=True)
class Options(MAE.Options):
    def check_encoder(self, cfg) -> None:  # MAE's own refuses anything but a ViT
        if cfg.model.arch != "masked_convnet":
            raise ConfigError("model.arch", f"mae_conv masks a ConvNet: set model.arch=masked_convnet, "
                                            f"got {cfg.model.arch!r}")


@register_method("mae_conv", options=Options)
class MAEConv(MAE):
    def __init__(self, cfg) -> None:
        Method.__init__(self, cfg)  # MAE's __init__ builds a Transformer decoder; this one convolves
        enc, dd = self.encoder, self.options.decoder_embed_dim
        p = enc.patch_size
        self.mask_token = nn.Parameter(torch.zeros(1, enc.feature_dim, 1, 1))
        self.decoder = nn.Sequential(nn.Conv2d(enc.feature_dim, dd, 1), Block(dd), nn.Conv2d(dd, p * p * 3, 1))
        nn.init.normal_(self.mask_token, std=0.02)

    def forward(self, views, step):
        img, noise = views  # MAE's views: the crop, one U[0, 1) per patch
        enc = self.encoder
        n, g = img.shape[0], enc.grid
        _, mask, _ = random_masking(noise.reshape(n, g * g), self.options.mask_ratio)  # 1: removed
        keep = (1 - mask).reshape(n, 1, g, g)
        feats = enc.masked_map(img, keep)  # [n, C, g, g], zero where removed
        filled = feats + self.mask_token * (1 - keep)
        pred = self.decoder(filled).flatten(2).transpose(1, 2)  # [n, L, p*p*3], patches row-major
        with fp32(pred):
            target = patchify(enc.normalize(img).float(), enc.patch_size)
            loss = mae_loss(pred.float(), target, mask, norm_pix=self.options.norm_pix_loss)
        pooled = feats.sum(dim=(2, 3)) / keep.sum(dim=(2, 3))  # mean of the visible positions
        return loss, pooled
