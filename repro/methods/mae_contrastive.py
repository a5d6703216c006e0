"""MAE + a contrastive term between two masked views of the same image: the "add a loss" patch
of the patching post's MAE example (the user's digest, section 5), after the idea of CMAE
(Huang et al. 2022) at the size of a demo.

Each image gets one crop and two independent masks. The first masked pass is MAE's own (its
reconstruction loss, its probe features); the second encodes the other visible patches; the two
pooled encodings, through a small projector, are pulled together by NT-Xent against the other
images of the batch (papernotes.ssl.losses.nt_xent_loss, negatives from every rank).

    papernotes idea add mae "MAE + contrastive between two masked views" --repro mae --profile demo \\
        --kind loss --set method=mae_contrastive --set mae_contrastive.weight=0.1 \\
        --expect "eval/linear_top1 >= +1"
    papernotes idea run mae 1 --seeds 3 --device cpu

Options (`mae_contrastive:`; the profile's `mae:` section applies too): weight, temperature,
proj_dim.
"""

from dataclasses import dataclass

import torch
from torch import nn

from papernotes.ssl.losses import nt_xent_loss
from papernotes.ssl.methods import MAE, register_method
from papernotes.ssl.methods.base import fp32
from papernotes.ssl.methods.mae import random_masking


@dataclass(frozen=True)
class Options(MAE.Options):
    weight: float = 0.1  # lambda of the contrastive term beside MAE's reconstruction loss
    temperature: float = 0.2  # NT-Xent temperature
    proj_dim: int = 128  # the projector's output


@register_method("mae_contrastive", options=Options)
class MAEContrastive(MAE):
    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        d = self.encoder.feature_dim
        self.projector = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, self.options.proj_dim))

    def views(self, images, generator):
        """MAE's [crop, mask noise] plus a second mask noise for the same crop."""
        view, noise = super().views(images, generator)
        device = generator.device if generator is not None else view.device
        noise2 = torch.rand(noise.shape, generator=generator, device=device).to(view.device)
        return [view, noise, noise2]

    def forward(self, views, step):
        img, noise, noise2 = views
        loss, pooled = super().forward([img, noise], step)  # MAE: reconstruction, first mask
        enc = self.encoder
        tokens = enc.tokens(img)
        n, length, d = tokens.shape
        ids_keep, _, _ = random_masking(noise2.reshape(n, length), self.options.mask_ratio)
        visible = torch.gather(tokens, 1, ids_keep[..., None].expand(-1, -1, d))
        pooled2 = enc.pool(enc.encode(visible))  # the second masked view
        z1, z2 = self.projector(pooled), self.projector(pooled2)
        with fp32(z1):
            contrast = nt_xent_loss(z1.float(), z2.float(), self.options.temperature, gather=True)
        return loss + self.options.weight * contrast, pooled
