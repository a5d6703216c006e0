"""Vision Transformer encoders (Dosovitskiy et al. 2021) as facebookresearch/mae builds them
(models_mae.py encoder part, models_vit.py `forward_features`), written compactly here.

Layout: a p x p patch embedding (a stride-p convolution) -> a class token in front -> fixed 2-D
sin-cos position embeddings (util/pos_embed.py, class-token row zero) -> `depth` pre-norm blocks
(x + Attn(LN(x)), x + MLP(LN(x)), MLP ratio 4, GELU, qkv with bias) -> LayerNorm (eps 1e-6).
The feature is the class token (`global_pool: false`, main_linprobe.py `--cls_token`) or the mean
of the patch tokens (`global_pool: true`). Official fine-tuning's global pool averages the tokens
*before* a freshly initialised `fc_norm`; here the mean is taken *after* the pretrained final
norm, so one encoder serves pretraining, probing and fine-tuning with the same weights.

Initialisation is MAE's `initialize_weights`: xavier-uniform patch embedding (viewed as a linear
layer) and linear layers, zero biases, LayerNorm (1, 0), class token N(0, 0.02). Inputs are
[0, 1] images, normalised inside with the ImageNet statistics as main_pretrain.py does.

`tokens`/`encode` split the forward so MAE can run the blocks on the visible patches only.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from papernotes.ssl.registry import register_backbone

# arch -> (embed dim, heads); depth 12 and MLP ratio 4 for all (ViT-Ti/S from DeiT, ViT-B from ViT)
VIT_ARCHS = {"vit_tiny": (192, 3), "vit_small": (384, 6), "vit_base": (768, 12)}
VIT_DEPTH = 12
MLP_RATIO = 4
LN_EPS = 1e-6  # models_mae.py / models_vit.py: partial(nn.LayerNorm, eps=1e-6)
_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


def sincos_pos_embed(dim: int, grid: int, cls_token: bool = True) -> Tensor:
    """util/pos_embed.py `get_2d_sincos_pos_embed`: [grid*grid (+1), dim], float32.

    Row t = r * grid + c is patch (row r, column c), the order of patchify. The first half of the
    channels encodes the column c: the official code names it emb_h, but `np.meshgrid(grid_w,
    grid_h)` makes grid[0] vary along the columns. Each half: sin(pos * omega) then
    cos(pos * omega), omega_k = 1 / 10000^(k / (dim/4)), k < dim/4.
    Computed in float64 (the official omega is float64), cast to float32 at the end.
    """
    if dim % 4:
        raise ValueError(f"sin-cos position embeddings need a dimension divisible by 4, got {dim}")
    coords = torch.arange(grid, dtype=torch.float64)
    # np.meshgrid(grid_w, grid_h) with 'xy' indexing: first array varies along columns
    gw, gh = torch.meshgrid(coords, coords, indexing="xy")  # each: [grid, grid]

    def one_d(d: int, pos: Tensor) -> Tensor:  # get_1d_sincos_pos_embed_from_grid
        omega = torch.arange(d // 2, dtype=torch.float64) / (d / 2.0)
        omega = 1.0 / 10000 ** omega  # [d/2]
        out = pos.reshape(-1)[:, None] * omega[None, :]  # [M, d/2]
        return torch.cat([out.sin(), out.cos()], dim=1)  # [M, d]

    emb = torch.cat([one_d(dim // 2, gw), one_d(dim // 2, gh)], dim=1)  # [grid*grid, dim]
    if cls_token:
        emb = torch.cat([torch.zeros(1, dim, dtype=torch.float64), emb], dim=0)
    return emb.float()


class Block(nn.Module):
    """A pre-norm Transformer block (timm 0.3.2 `Block`, qkv_bias=True, no drop path)."""

    def __init__(self, dim: int, heads: int, mlp_ratio: int = MLP_RATIO) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"dimension {dim} is not divisible by {heads} heads")
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.fc1 = nn.Linear(dim, mlp_ratio * dim)
        self.fc2 = nn.Linear(mlp_ratio * dim, dim)

    def forward(self, x: Tensor) -> Tensor:  # x: [N, T, D]
        n, t, d = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])  # [N, heads, T, D/heads]
        x = x + self.proj(a.transpose(1, 2).reshape(n, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


def init_vit_weights(module: nn.Module) -> None:
    """models_mae.py `_init_weights`: xavier-uniform linear weights, zero biases, LN (1, 0)."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class VisionTransformer(nn.Module):
    """forward(x [N, 3, H, W] in [0, 1]) -> [N, dim]: the class token or the mean patch token."""

    def __init__(self, image_size: int, patch_size: int, dim: int, depth: int, heads: int,
                 global_pool: bool = False) -> None:
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"patch size {patch_size} does not divide the image size {image_size}")
        self.patch_size, self.grid, self.global_pool = patch_size, image_size // patch_size, global_pool
        self.num_patches, self.feature_dim, self.depth = self.grid ** 2, dim, depth
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        # fixed (not learned), a function of the shape: a buffer, not saved in checkpoints
        self.register_buffer("pos_embed", sincos_pos_embed(dim, self.grid)[None], persistent=False)  # [1, 1+L, D]
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=LN_EPS)
        self.register_buffer("mean", torch.tensor(_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_STD).view(1, 3, 1, 1), persistent=False)
        # models_mae.py initialize_weights: patch_embed like nn.Linear, cls token N(0, .02)
        w = self.patch_embed.weight.data
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        nn.init.normal_(self.cls_token, std=0.02)
        init_vit_weights(self.blocks)
        init_vit_weights(self.norm)

    def normalize(self, x: Tensor) -> Tensor:
        return (x - self.mean) / self.std

    def tokens(self, x: Tensor) -> Tensor:
        """Patch tokens with their position embeddings: [N, 3, H, W] in [0, 1] -> [N, L, D]."""
        x = self.patch_embed(self.normalize(x))  # [N, D, h, w]
        return x.flatten(2).transpose(1, 2) + self.patch_pos_embed(*x.shape[2:])  # row-major, as patchify

    def patch_pos_embed(self, h: int, w: int) -> Tensor:
        """[1, h*w, D]: the patch rows of pos_embed, resized bicubically for a grid other than the
        image's (multi-crop's small crops), as dino's vision_transformer.py
        `interpolate_pos_encoding` does it (scale factors with its +0.1 against rounding)."""
        pos = self.pos_embed[:, 1:]
        if (h, w) == (self.grid, self.grid):
            return pos
        d = pos.shape[-1]
        grid = pos.reshape(1, self.grid, self.grid, d).permute(0, 3, 1, 2)  # [1, D, g, g]
        out = F.interpolate(grid, scale_factor=((h + 0.1) / self.grid, (w + 0.1) / self.grid), mode="bicubic")
        assert out.shape[-2:] == (h, w), out.shape
        return out.permute(0, 2, 3, 1).reshape(1, h * w, d)

    def encode(self, tokens: Tensor) -> Tensor:
        """Class token in front, the blocks, the final norm: [N, l, D] -> [N, 1 + l, D]."""
        cls = (self.cls_token + self.pos_embed[:, :1]).expand(tokens.shape[0], -1, -1)
        x = torch.cat([cls, tokens], dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)

    def pool(self, x: Tensor) -> Tensor:
        """[N, 1 + l, D] -> [N, D]: mean of the patch tokens (global pool) or the class token."""
        return x[:, 1:].mean(dim=1) if self.global_pool else x[:, 0]

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(self.encode(self.tokens(x)))

    def layer_id(self, name: str) -> int:
        """util/lr_decay.py `get_layer_id_for_vit` for a parameter name of this module: 0 for the
        class token and the patch embedding, i + 1 for block i, depth + 1 for the rest (norm)."""
        if name == "cls_token" or name.startswith("patch_embed"):
            return 0
        if name.startswith("blocks."):
            return int(name.split(".")[1]) + 1
        return self.depth + 1


def build_vit(arch: str, image_size: int, patch_size: int, depth: int | None = None,
              global_pool: bool = False) -> VisionTransformer:
    dim, heads = VIT_ARCHS[arch]
    return VisionTransformer(image_size, patch_size, dim, VIT_DEPTH if depth is None else depth, heads, global_pool)



def build_vit_backbone(cfg, image_size: int) -> tuple[VisionTransformer, int]:
    """`model.arch: vit_*`: the ViT of that size at `cfg.patch_size` (a backbone, see registry.py)."""
    vit = build_vit(cfg.arch, image_size, cfg.patch_size, cfg.vit_depth, cfg.global_pool)
    return vit, vit.feature_dim


for _arch in VIT_ARCHS:
    register_backbone(_arch)(build_vit_backbone)
