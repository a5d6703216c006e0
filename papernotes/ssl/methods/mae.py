"""MAE (He et al. 2022), facebookresearch/mae models_mae.py: the ViT encoder runs on a random 25%
of the patches only; a light decoder gets the encoded visible tokens back in place among shared
mask tokens, adds its own fixed sin-cos position embeddings and predicts every patch's pixels;
the loss is the MSE on the removed patches (`mae_loss`, per-patch normalised targets with
--norm_pix_loss, on `patchify` of the ImageNet-normalised view as the official code feeds it).

The one view is main_pretrain.py's RandomResizedCrop(scale=(aug.crop_min_area, 1), bicubic) +
horizontal flip, no colour jitter. The masking noise is drawn in `views` with the per-step
generator, so masks are a pure function of (seed, rank, step): independent across ranks and
steps, and a resumed run draws the same. It travels as a second "view", a [n, 1, h, w] map (one
U[0, 1) per patch, row-major as patchify), which the loop's channels-last conversion leaves valid.

Features for the online probe: the encoder's pooled output of the *masked* pass (the class token,
or with model.global_pool the mean of the visible tokens), already computed for the loss; a
second, unmasked encoder pass would cost four times the encoder FLOPs of the step. The probe is
therefore a little pessimistic; the kNN monitor and the final evaluation see whole images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.config.option_checks import positive
from papernotes.ssl.losses import mae_loss, patchify
from papernotes.ssl.methods.base import Method, fp32
from papernotes.ssl.models.vit import LN_EPS, Block, VisionTransformer, init_vit_weights, sincos_pos_embed
from papernotes.ssl.registry import register_method
from papernotes.ssl.views.augment import crop_flip_view


def random_masking(noise: Tensor, mask_ratio: float) -> tuple[Tensor, Tensor, Tensor]:
    """models_mae.py `random_masking` given its noise [N, L]: the int(L * (1 - ratio)) patches
    with the smallest noise are kept. Returns ids_keep [N, keep] (in ascending-noise order),
    mask [N, L] (0 keep, 1 remove, in patch order) and ids_restore [N, L] (the inverse shuffle)."""
    n, length = noise.shape
    keep = int(length * (1 - mask_ratio))
    ids_shuffle = torch.argsort(noise, dim=1)  # ascend: small is keep, large is remove
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    mask = torch.ones(n, length, device=noise.device)
    mask[:, :keep] = 0
    mask = torch.gather(mask, 1, ids_restore)  # unshuffle: the mask in patch order
    return ids_shuffle[:, :keep], mask, ids_restore


@dataclass(frozen=True)
class MAEOptions:
    """facebookresearch/mae main_pretrain.py flags and models_mae.py's decoder (ViT encoders only)."""
    mask_ratio: float = 0.75  # --mask_ratio
    decoder_embed_dim: int = 512  # mae_vit_*_dec512d8b
    decoder_depth: int = 8
    decoder_num_heads: int = 16
    norm_pix_loss: bool = True  # --norm_pix_loss (PRETRAIN.md; the flag's default is off)

    def check_encoder(self, cfg: Any) -> None:
        """Run before the model's own checks, so a ResNet is refused as MAE's problem."""
        if not cfg.model.arch.startswith("vit"):
            raise ConfigError("model.arch", f"MAE needs a ViT encoder (vit_tiny, vit_small, vit_base), "
                                            f"got {cfg.model.arch!r}: it masks patch tokens")

    def check(self, cfg: Any) -> None:
        self.check_encoder(cfg)
        if not 0 < self.mask_ratio < 1:
            raise ConfigError("mae.mask_ratio", f"must be in (0, 1), got {self.mask_ratio}")
        for name in ("decoder_embed_dim", "decoder_depth", "decoder_num_heads"):
            positive(f"mae.{name}", getattr(self, name))
        if self.decoder_embed_dim % self.decoder_num_heads or self.decoder_embed_dim % 4:
            raise ConfigError("mae.decoder_embed_dim", f"must be a multiple of 4 (sin-cos position embedding) and of "
                                                       f"mae.decoder_num_heads ({self.decoder_num_heads}), "
                                                       f"got {self.decoder_embed_dim}")
        patches = (cfg.data.image_size // cfg.model.patch_size) ** 2
        if int(patches * (1 - self.mask_ratio)) < 1:
            raise ConfigError("mae.mask_ratio", f"keeps no patch of {patches}")


@register_method("mae", options=MAEOptions)
class MAE(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        enc = self.encoder
        if not isinstance(enc, VisionTransformer):  # MAEConfig.check refuses it first
            raise TypeError("MAE needs a ViT encoder")
        mc = self.options
        dd, p = mc.decoder_embed_dim, enc.patch_size
        self.decoder_embed = nn.Linear(enc.feature_dim, dd)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dd))
        self.register_buffer("decoder_pos_embed", sincos_pos_embed(dd, enc.grid)[None], persistent=False)
        self.decoder_blocks = nn.ModuleList(Block(dd, mc.decoder_num_heads) for _ in range(mc.decoder_depth))
        self.decoder_norm = nn.LayerNorm(dd, eps=LN_EPS)
        self.decoder_pred = nn.Linear(dd, p * p * 3)  # decoder to patch pixels
        nn.init.normal_(self.mask_token, std=0.02)
        for m in (self.decoder_embed, self.decoder_blocks, self.decoder_norm, self.decoder_pred):
            init_vit_weights(m)

    def views(self, images: Tensor, generator: torch.Generator | None) -> list[Tensor]:
        """uint8 [n, 3, H, W] -> [the view [n, 3, S, S], the masking noise [n, 1, S/p, S/p]]."""
        x = images.float().div_(255.0)
        view = crop_flip_view(x, self.cfg.data.image_size, self.cfg.aug.crop_min_area, generator)
        grid = self.encoder.grid
        gen_device = generator.device if generator is not None else x.device
        noise = torch.rand((x.shape[0], 1, grid, grid), generator=generator, device=gen_device).to(x.device)
        return [view, noise]

    def decode(self, latent: Tensor, ids_restore: Tensor) -> Tensor:
        """models_mae.py forward_decoder: [N, 1 + keep, D] -> pixel predictions [N, L, p*p*3]."""
        x = self.decoder_embed(latent)  # [N, 1 + keep, Dd]
        n, length, dd = x.shape[0], ids_restore.shape[1], x.shape[2]
        mask_tokens = self.mask_token.expand(n, length + 1 - x.shape[1], dd)
        x_ = torch.cat([x[:, 1:], mask_tokens], dim=1)  # no class token
        x_ = torch.gather(x_, 1, ids_restore[..., None].expand(-1, -1, dd))  # unshuffle
        x = torch.cat([x[:, :1], x_], dim=1) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        return self.decoder_pred(self.decoder_norm(x))[:, 1:]  # drop the class token

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        img, noise = views
        enc, mc = self.encoder, self.options
        tokens = enc.tokens(img)  # [N, L, D], position embeddings added
        n, length, d = tokens.shape
        ids_keep, mask, ids_restore = random_masking(noise.reshape(n, length), mc.mask_ratio)
        visible = torch.gather(tokens, 1, ids_keep[..., None].expand(-1, -1, d))  # [N, keep, D]
        latent = enc.encode(visible)  # [N, 1 + keep, D]
        pred = self.decode(latent, ids_restore)
        with fp32(pred):
            target = patchify(enc.normalize(img).float(), enc.patch_size)  # [N, L, p*p*3]
            loss = mae_loss(pred.float(), target, mask, norm_pix=mc.norm_pix_loss)
        return loss, enc.pool(latent)
