"""repro/swav.yaml and repro/dino.yaml: every profile resolves through the engine's checks, the
ImageNet profiles carry the official flags, the demo profiles run on the embedded data on CPU."""

from __future__ import annotations

import pytest

from papernotes.repro.spec.find import spec_path
from papernotes.repro.spec.model import load_spec, resolve


def profiles(name: str) -> dict:
    path = spec_path(name)
    spec, doc = load_spec(path)
    return {p: resolve(spec, doc, path, p).config for p in spec.profiles}


@pytest.mark.parametrize("name", ["swav", "dino"])
def test_every_profile_resolves_and_names_its_method(name):
    spec, _ = load_spec(spec_path(name))
    assert spec.paper == name and spec.default_profile == "cifar10"
    assert set(spec.profiles) >= {"cifar10", "imagenet", "demo"}
    configs = profiles(name)
    assert all(c.method == name for c in configs.values())
    demo = configs["demo"]
    assert (demo.data.name, demo.train.device, demo.train.threads) == ("synthetic", "cpu", 2)
    assert configs["cifar10"].data.name == "cifar10" and configs["imagenet"].data.image_size == 224


def test_swav_imagenet_profile_is_the_800_epoch_script():
    c = profiles("swav")["imagenet"]
    s = c.method_cfg
    assert (s.nmb_crops, s.size_crops, s.min_scale_crops, s.max_scale_crops) == ((2, 6), (224, 96), (0.14, 0.05),
                                                                                (1.0, 0.14))
    assert (s.temperature, s.epsilon, s.sinkhorn_iterations, s.nmb_prototypes, s.feat_dim) == (0.1, 0.05, 3, 3000, 128)
    assert (s.queue_length, s.freeze_prototypes_niters) == (0, 313)
    assert (c.train.batch_size, c.train.epochs, c.optim.base_lr * c.train.batch_size / 256) == (4096, 800, 4.8)
    assert (c.optim.weight_decay, c.optim.exclude_bias_bn, c.aug.blur_prob) == (1e-6, False, (0.5,))


def test_dino_imagenet_profile_is_the_resnet50_command():
    c = profiles("dino")["imagenet"]
    d = c.method_cfg
    assert (c.model.arch, c.optim.name, c.optim.base_lr, c.optim.weight_decay) == ("resnet50", "sgd", 0.03, 1e-4)
    assert (d.global_crops_scale, d.local_crops_scale, d.local_crops_number, d.local_crops_size) == (
        (0.14, 1.0), (0.05, 0.14), 8, 96)
    assert (d.out_dim, d.momentum_teacher, d.teacher_temp, d.clip_grad) == (65536, 0.996, 0.04, 3.0)
    assert (c.aug.blur_prob, c.aug.solarize_prob) == ((1.0, 0.1, 0.5), (0.0, 0.2, 0.0))
    assert (c.aug.brightness, c.aug.contrast, c.aug.saturation, c.aug.hue) == (0.4, 0.4, 0.2, 0.1)



def test_dino_vit_small_profile_is_the_readme_command():
    c = profiles("dino")["vit_small"]
    d = c.method_cfg
    assert (c.model.arch, c.model.patch_size, c.optim.name, c.optim.base_lr, c.optim.weight_decay) == (
        "vit_small", 16, "adamw", 5e-4, 0.04)
    assert (d.global_crops_scale, d.local_crops_scale, d.local_crops_number, d.local_crops_size) == (
        (0.4, 1.0), (0.05, 0.4), 8, 96)
    assert (c.train.batch_size, c.train.epochs, d.out_dim, d.momentum_teacher) == (512, 100, 65536, 0.996)
