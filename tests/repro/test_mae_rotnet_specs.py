"""repro/mae.yaml and repro/rotnet.yaml: every profile resolves through the engine's checks and
the ImageNet/CIFAR profiles carry the official flags."""

from __future__ import annotations

import pytest

from papernotes.repro.spec.find import spec_path
from papernotes.repro.spec.model import load_spec, resolve


@pytest.mark.parametrize("name", ["mae", "rotnet"])
def test_every_profile_resolves_and_names_its_method(name):
    path = spec_path(name)
    spec, doc = load_spec(path)
    configs = {p: resolve(spec, doc, path, p).config for p in spec.profiles}
    assert set(configs) == {"cifar10", "imagenet", "demo"} and spec.paper == name
    assert {c.method for c in configs.values()} == {name}
    assert configs["demo"].data.name == "synthetic" and configs["demo"].train.device == "cpu"


def test_mae_imagenet_profile_is_the_official_vit_base_recipe():
    path = spec_path("mae")
    spec, doc = load_spec(path)
    im = resolve(spec, doc, path, "imagenet").config
    assert (im.model.arch, im.model.patch_size, im.method_cfg.decoder_embed_dim, im.method_cfg.norm_pix_loss) == \
        ("vit_base", 16, 512, True)
    assert (im.method_cfg.mask_ratio, im.method_cfg.decoder_depth, im.method_cfg.decoder_num_heads) == (0.75, 8, 16)
    assert (im.optim.base_lr, im.optim.betas, im.optim.weight_decay, im.train.batch_size) == \
        (1.5e-4, (0.9, 0.95), 0.05, 4096)
    assert (im.eval.linear_bn, im.eval.finetune_epochs, im.eval.finetune_layer_decay) == (True, 100, 0.65)


def test_rotnet_cifar_profile_is_the_official_recipe():
    path = spec_path("rotnet")
    spec, doc = load_spec(path)
    c10 = resolve(spec, doc, path, "cifar10").config
    assert (c10.method_cfg.pad_crop, c10.train.batch_size, c10.optim.weight_decay) == (4, 128, 5e-4)
    assert (c10.optim.name, c10.optim.nesterov, c10.optim.exclude_bias_bn, c10.train.epochs) == ("sgd", True, False, 200)
    demo = resolve(spec, doc, path, "demo").config
    assert demo.data.shape_rotation == 0.0  # upright shapes: rotations must be predictable
