"""The public extension API (issue 24): `register_method` with an options dataclass beside the
class, a subclass's options inheriting its parent's config section, `register_backbone` for
`model.arch`, and the refusals, each one line."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch
from torch import nn

from papernotes.ssl.config import ConfigError, config_from_dict, config_to_dict
from papernotes.ssl.methods import MAE, SimCLR, build_method, register_method
from papernotes.ssl.models import register_backbone
from papernotes.ssl.registry import RegistryError, option_lineage

TINY = {"data": {"num_train": 64, "num_test": 32, "image_size": 16},
        "model": {"base_channels": 4, "cifar_stem": False, "proj_dim": 8},
        "train": {"epochs": 1, "batch_size": 16, "device": "cpu", "threads": 1}}


@dataclass(frozen=True)
class WeightedOptions(SimCLR.Options):
    weight: float = 1.0


@register_method("test_simclr_weighted", options=WeightedOptions)
class Weighted(SimCLR):
    def forward(self, views, step):
        loss, h = super().forward(views, step)
        return loss * self.options.weight, h


@register_method("test_simclr_same")  # options=None: SimCLR's own Options
class Same(SimCLR):
    pass


def test_a_subclass_reads_its_parents_section_and_adds_its_own():
    cfg = config_from_dict({**TINY, "method": "test_simclr_weighted", "simclr": {"temperature": 0.2},
                            "test_simclr_weighted": {"weight": 0.5}})
    assert cfg.method_cfg == WeightedOptions(temperature=0.2, weight=0.5)
    assert option_lineage("test_simclr_weighted") == ["simclr", "test_simclr_weighted"]
    # its own section wins over the parent's; written back under its own name, read back equal
    cfg = config_from_dict({**TINY, "method": "test_simclr_weighted", "simclr": {"temperature": 0.2},
                            "test_simclr_weighted": {"temperature": 0.3}})
    assert cfg.method_cfg.temperature == 0.3
    raw = config_to_dict(cfg)
    assert "simclr" not in raw and config_from_dict(raw) == cfg
    method = build_method(cfg)
    assert isinstance(method, SimCLR) and method.options is cfg.method_cfg and Weighted.name == "test_simclr_weighted"


def test_options_none_means_the_parents_options():
    assert Same.Options is SimCLR.Options
    cfg = config_from_dict({**TINY, "method": "test_simclr_same", "simclr": {"temperature": 0.7}})
    assert cfg.method_cfg == SimCLR.Options(temperature=0.7)


def test_an_unrelated_methods_section_and_an_unknown_option_are_refused():
    with pytest.raises(ConfigError) as err:
        config_from_dict({**TINY, "method": "test_simclr_weighted", "byol": {}})
    assert err.value.field == "byol"
    with pytest.raises(ConfigError) as err:
        config_from_dict({**TINY, "method": "test_simclr_weighted", "test_simclr_weighted": {"wieght": 1}})
    assert "wieght" in str(err.value)


def test_the_weight_scales_the_loss_exactly():
    cfg = config_from_dict({**TINY, "method": "test_simclr_weighted", "test_simclr_weighted": {"weight": 0.5}})
    base = config_from_dict({**TINY, "method": "simclr"})
    views = [torch.rand(8, 3, 16, 16), torch.rand(8, 3, 16, 16)]
    torch.manual_seed(0)
    a, _ = build_method(cfg)(views, 0)
    torch.manual_seed(0)
    b, _ = build_method(base)(views, 0)
    assert a.item() == pytest.approx(0.5 * b.item(), rel=1e-6)


@register_backbone("test_tiny_cnn")
def tiny_cnn(model_cfg, image_size):
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    return net, 8


def test_a_registered_backbone_is_a_model_arch():
    cfg = config_from_dict({**TINY, "method": "simclr", "model": {**TINY["model"], "arch": "test_tiny_cnn"}})
    method = build_method(cfg)
    assert method.feature_dim == 8 and isinstance(method.encoder, nn.Sequential)
    with pytest.raises(ConfigError) as err:
        config_from_dict({**TINY, "model": {"arch": "resnet19"}})
    assert err.value.field == "model.arch" and "test_tiny_cnn" in str(err.value)


def test_mae_still_refuses_a_resnet_as_its_own_problem():
    with pytest.raises(ConfigError) as err:
        config_from_dict({**TINY, "method": "mae"})
    assert err.value.field == "model.arch" and "ViT" in err.value.message
    assert MAE.Options().mask_ratio == 0.75


def test_registrations_that_cannot_be():
    with pytest.raises(RegistryError, match="already registered"):
        register_method("simclr")(type("Other", (SimCLR,), {}))
    with pytest.raises(RegistryError, match="section of every config"):
        register_method("train")
    with pytest.raises(RegistryError, match="lower-case identifier"):
        register_method("My Method")

    @dataclass
    class Loose:
        x: int = 1

    with pytest.raises(RegistryError, match="must be frozen"):
        register_method("test_loose", options=Loose)(type("L", (SimCLR,), {}))
