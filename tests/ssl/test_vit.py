"""ViT encoders: the official sin-cos position embedding, the published sizes, the class-token /
global-pool feature, layer ids for layer-wise lr decay, and the config checks."""

import numpy as np
import pytest
import torch

from papernotes.ssl.config import ConfigError, ModelConfig, config_from_dict
from papernotes.ssl.models.encoders import build_encoder
from papernotes.ssl.models.vit import VisionTransformer, sincos_pos_embed


def _official_pos_embed(embed_dim, grid_size, cls_token=False):
    """facebookresearch/mae util/pos_embed.py, transcribed (np.float -> np.float64)."""
    def one_d(d, pos):
        omega = np.arange(d // 2, dtype=np.float64)
        omega /= d / 2.0
        omega = 1.0 / 10000 ** omega
        out = np.einsum("m,d->md", pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)

    grid_h = np.arange(grid_size, dtype=np.float32)
    grid_w = np.arange(grid_size, dtype=np.float32)
    grid = np.stack(np.meshgrid(grid_w, grid_h), axis=0).reshape([2, 1, grid_size, grid_size])
    emb = np.concatenate([one_d(embed_dim // 2, grid[0]), one_d(embed_dim // 2, grid[1])], axis=1)
    if cls_token:
        emb = np.concatenate([np.zeros([1, embed_dim]), emb], axis=0)
    return emb


@pytest.mark.parametrize("dim, grid", [(192, 8), (768, 14), (64, 5)])
def test_position_embedding_is_the_official_formula(dim, grid):
    ref = torch.from_numpy(_official_pos_embed(dim, grid, cls_token=True)).float()  # as models_mae.py copies it
    got = sincos_pos_embed(dim, grid)
    assert got.shape == (grid * grid + 1, dim) and got.dtype == torch.float32
    assert torch.equal(got, ref)


@pytest.mark.parametrize("arch, dim, heads", [("vit_tiny", 192, 3), ("vit_small", 384, 6), ("vit_base", 768, 12)])
def test_sizes(arch, dim, heads):
    enc, d = build_encoder(ModelConfig(arch=arch, patch_size=16), 224)
    assert isinstance(enc, VisionTransformer) and d == dim == enc.feature_dim
    assert len(enc.blocks) == 12 and enc.blocks[0].heads == heads and enc.num_patches == 196
    assert enc.blocks[0].fc1.out_features == 4 * dim  # MLP ratio 4
    if arch == "vit_base":
        # timm's vit_base_patch16_224 without its head has 85,798,656 parameters, of which the
        # position embedding (197 x 768) is learned there and fixed (a buffer) here
        assert sum(p.numel() for p in enc.parameters()) == 85_798_656 - 197 * 768
        assert "pos_embed" not in dict(enc.named_parameters()) and not enc.pos_embed.requires_grad


def test_small_image_forward_class_token_and_global_pool():
    torch.manual_seed(0)
    cls_enc, d = build_encoder(ModelConfig(arch="vit_tiny", patch_size=4, vit_depth=2), 32)
    x = torch.rand(3, 3, 32, 32)
    tokens = cls_enc.tokens(x)
    assert tokens.shape == (3, 64, 192)
    full = cls_enc.encode(tokens)  # [3, 65, 192], after the final norm
    assert torch.allclose(cls_enc(x), full[:, 0])
    torch.manual_seed(0)
    gp_enc, _ = build_encoder(ModelConfig(arch="vit_tiny", patch_size=4, vit_depth=2, global_pool=True), 32)
    assert torch.allclose(gp_enc(x), full[:, 1:].mean(dim=1), atol=1e-6)  # same weights, mean of patch tokens
    # patch order is row-major, as patchify: patch (r, c) = token r * 8 + c
    y = x.clone()
    y[:, :, 4:8, 8:12] = 0.5
    changed = (cls_enc.tokens(y) - tokens).abs().sum(dim=2)[0]
    assert changed.nonzero().flatten().tolist() == [1 * 8 + 2]


def test_layer_ids_follow_lr_decay():
    enc, _ = build_encoder(ModelConfig(arch="vit_tiny", patch_size=8, vit_depth=3), 32)
    ids = {n: enc.layer_id(n) for n, _ in enc.named_parameters()}
    assert ids["cls_token"] == ids["patch_embed.weight"] == 0
    assert ids["blocks.0.qkv.weight"] == 1 and ids["blocks.2.fc2.bias"] == 3
    assert ids["norm.weight"] == 4


@pytest.mark.parametrize("patch, field", [
    ({"model": {"arch": "vit_tiny", "patch_size": 5}}, "model.patch_size"),  # 32 is not a multiple of 5
    ({"model": {"arch": "vit_tiny", "patch_size": 0}}, "model.patch_size"),
    ({"model": {"arch": "vit_tiny", "patch_size": 4, "vit_depth": 0}}, "model.vit_depth"),
    ({"model": {"arch": "resnet18", "vit_depth": 2}}, "model.vit_depth"),
    ({"optim": {"betas": [0.9]}}, "optim.betas"),
    ({"eval": {"finetune_layer_decay": 0.75}}, "eval.finetune_layer_decay"),  # a ResNet has no layers to decay
    ({"eval": {"finetune_epochs": -1}}, "eval.finetune_epochs"),
])
def test_bad_vit_options_name_their_field(patch, field):
    with pytest.raises(ConfigError) as err:
        config_from_dict({"data": {"image_size": 32}, **patch})
    assert err.value.field == field


def test_adamw_takes_the_configured_betas():
    from papernotes.ssl.optim.optimizers import build_optimizer

    cfg = config_from_dict({"optim": {"name": "adamw", "betas": [0.9, 0.95]}})
    opt = build_optimizer(cfg.optim, torch.nn.Linear(2, 2), 256)
    assert opt.defaults["betas"] == (0.9, 0.95)


def _dino_interpolate_pos_encoding(pos_embed, npatch, w, h, patch_size):
    """facebookresearch/dino vision_transformer.py `interpolate_pos_encoding`, transcribed (x is
    given by its patch count)."""
    import math

    n = pos_embed.shape[1] - 1
    if npatch == n and w == h:
        return pos_embed
    class_pos_embed = pos_embed[:, 0]
    patch_pos_embed = pos_embed[:, 1:]
    dim = pos_embed.shape[-1]
    w0, h0 = w // patch_size + 0.1, h // patch_size + 0.1
    patch_pos_embed = torch.nn.functional.interpolate(
        patch_pos_embed.reshape(1, int(math.sqrt(n)), int(math.sqrt(n)), dim).permute(0, 3, 1, 2),
        scale_factor=(w0 / math.sqrt(n), h0 / math.sqrt(n)), mode="bicubic")
    patch_pos_embed = patch_pos_embed.permute(0, 2, 3, 1).view(1, -1, dim)
    return torch.cat((class_pos_embed.unsqueeze(0), patch_pos_embed), dim=1)


@pytest.mark.parametrize("crop", [32, 16, 12])
def test_small_crops_get_dinos_interpolated_position_embedding(crop):
    vit = VisionTransformer(32, 4, 32, 1, 2)
    ref = _dino_interpolate_pos_encoding(vit.pos_embed, (crop // 4) ** 2, crop, crop, 4)
    assert torch.equal(vit.patch_pos_embed(crop // 4, crop // 4), ref[:, 1:])
    assert vit(torch.rand(2, 3, crop, crop)).shape == (2, 32)


def test_dino_trains_a_vit_on_multi_crop_and_crops_must_hold_whole_patches(tmp_path):
    from papernotes.ssl.pretrain import run
    from tests.ssl.test_methods import tiny

    cfg = tiny("dino", tmp_path)
    cfg["model"] = {"arch": "vit_tiny", "patch_size": 4, "vit_depth": 1}  # 16 px globals, 8 px locals
    result = run(config_from_dict(cfg))
    assert result["status"] == "finished" and np.isfinite(result["train/loss"])
    cfg["dino"] = {**cfg["dino"], "local_crops_size": 10}
    with pytest.raises(ConfigError) as err:
        config_from_dict(cfg)
    assert err.value.field == "dino.local_crops_size" and "4 px patches" in str(err.value)
