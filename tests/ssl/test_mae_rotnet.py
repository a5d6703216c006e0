"""MAE and RotNet on the seam: masking as models_mae.py, exact rotations and the CIFAR crop as
the RotNet code, and the inputs they refuse."""

import numpy as np
import pytest
import torch

from papernotes.ssl.config import ConfigError, config_from_dict
from papernotes.ssl.methods import build_method
from papernotes.ssl.methods.mae import random_masking
from papernotes.ssl.methods.rotnet import pad_crop_flip

MAE_TINY = {"method": "mae", "mae": {"decoder_embed_dim": 32, "decoder_depth": 1, "decoder_num_heads": 4},
            "model": {"arch": "vit_tiny", "patch_size": 4, "vit_depth": 1}, "data": {"image_size": 16}}


def _official_random_masking(x, mask_ratio, noise):
    """models_mae.py random_masking with its torch.rand noise passed in."""
    n, length, d = x.shape
    len_keep = int(length * (1 - mask_ratio))
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]
    x_masked = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, d))
    mask = torch.ones([n, length])
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, dim=1, index=ids_restore)
    return x_masked, mask, ids_restore


@pytest.mark.parametrize("length, ratio", [(64, 0.75), (16, 0.75), (49, 0.6)])
def test_random_masking_is_the_official_one(length, ratio):
    g = torch.Generator().manual_seed(length)
    noise, x = torch.rand(5, length, generator=g), torch.randn(5, length, 3, generator=g)
    ids_keep, mask, ids_restore = random_masking(noise, ratio)
    keep = int(length * (1 - ratio))
    ref_x, ref_mask, ref_restore = _official_random_masking(x, ratio, noise)
    assert torch.equal(mask, ref_mask) and torch.equal(ids_restore, ref_restore)
    assert torch.equal(torch.gather(x, 1, ids_keep[..., None].expand(-1, -1, 3)), ref_x)
    assert ids_keep.shape == (5, keep) and (mask.sum(dim=1) == length - keep).all()  # exactly `keep` kept
    shuffle = torch.argsort(noise, dim=1)
    assert torch.equal(torch.gather(shuffle, 1, ids_restore), torch.arange(length).expand(5, -1))  # inverse
    assert (mask.gather(1, ids_keep) == 0).all()  # the kept patches are the unmasked ones


def test_mae_views_masks_and_loss():
    cfg = config_from_dict(MAE_TINY)
    torch.manual_seed(0)
    mae = build_method(cfg)
    images = torch.randint(0, 256, (6, 3, 16, 16), dtype=torch.uint8)
    views = mae.views(images, torch.Generator().manual_seed(3))
    again = mae.views(images, torch.Generator().manual_seed(3))
    other = mae.views(images, torch.Generator().manual_seed(4))
    assert [v.shape for v in views] == [(6, 3, 16, 16), (6, 1, 4, 4)]
    assert all(torch.equal(a, b) for a, b in zip(views, again))  # a pure function of the generator
    assert not torch.equal(views[1], other[1])
    loss, feats = mae(views, 0)
    assert feats.shape == (6, 192) and torch.isfinite(loss)
    loss.backward()
    assert mae.encoder.cls_token.grad is not None and mae.mask_token.grad.abs().sum() > 0
    _, mask, _ = random_masking(views[1].reshape(6, 16), 0.75)
    assert (mask.sum(dim=1) == 12).all()  # the encoder saw 4 of the 16 patches of each image


def test_mae_refuses_a_resnet_and_a_bad_patch_size():
    with pytest.raises(ConfigError) as err:
        config_from_dict({**MAE_TINY, "model": {"arch": "resnet18"}})
    assert err.value.field == "model.arch" and "MAE needs a ViT" in str(err.value)
    with pytest.raises(ConfigError) as err:  # the demo's ViT-only options stay: still MAE's problem first
        config_from_dict({**MAE_TINY, "model": {"arch": "resnet18", "vit_depth": 4, "global_pool": True}})
    assert err.value.field == "model.arch" and "MAE needs a ViT" in str(err.value)
    with pytest.raises(ConfigError) as err:
        config_from_dict({**MAE_TINY, "model": {"arch": "vit_tiny", "patch_size": 6}})
    assert err.value.field == "model.patch_size"
    with pytest.raises(ConfigError) as err:
        config_from_dict({**MAE_TINY, "mae": {"decoder_embed_dim": 30, "decoder_num_heads": 3}})
    assert err.value.field == "mae.decoder_embed_dim"


def _official_rotate_img(img, rot):
    """gidariss/FeatureLearningRotNet dataloader.py rotate_img, on an HWC numpy image."""
    if rot == 0:
        return img
    if rot == 90:
        return np.flipud(np.transpose(img, (1, 0, 2)))
    if rot == 180:
        return np.fliplr(np.flipud(img))
    return np.transpose(np.flipud(img), (1, 0, 2))


def test_rotnet_shows_each_crop_in_the_four_official_rotations():
    cfg = config_from_dict({"method": "rotnet", "data": {"image_size": 16},
                            "model": {"base_channels": 4, "cifar_stem": False}, "rotnet": {"pad_crop": 2}})
    torch.manual_seed(0)
    rot = build_method(cfg)
    views = rot.views(torch.randint(0, 256, (3, 3, 16, 16), dtype=torch.uint8), torch.Generator().manual_seed(0))
    assert len(views) == 4
    for k, angle in enumerate((0, 90, 180, 270)):
        for i in range(3):
            ref = _official_rotate_img(views[0][i].permute(1, 2, 0).numpy(), angle)
            assert np.array_equal(views[k][i].permute(1, 2, 0).numpy(), ref)
    loss, feats = rot(views, 0)
    assert torch.isfinite(loss) and feats.shape == (3, rot.feature_dim)  # the upright copies only


def test_pad_crop_is_random_crop_with_zero_padding():
    x = torch.rand(8, 3, 10, 10)
    out = pad_crop_flip(x, 3, 10, torch.Generator().manual_seed(1))
    xp = torch.nn.functional.pad(x, (3, 3, 3, 3))
    for i in range(8):
        windows = [xp[i, :, oy:oy + 10, ox:ox + 10] for oy in range(7) for ox in range(7)]
        windows += [w.flip(-1) for w in windows]
        assert any(torch.allclose(out[i], w, atol=1e-5) for w in windows), i
