"""LARS against hand computations: excluded params get plain momentum SGD without decay,
included ones the trust-ratio-scaled step; build_optimizer's exclusion of biases and BN."""

import math

import pytest
import torch
from torch import nn

from papernotes.ssl.config import ModelConfig, OptimConfig
from papernotes.ssl.models.encoders import ProjectionHead, build_encoder
from papernotes.ssl.optim.lars import LARS
from papernotes.ssl.optim.optimizers import build_optimizer

from .encoder_head import SimCLRModel


def test_one_and_two_steps_by_hand():
    w = nn.Parameter(torch.tensor([3.0, 4.0], dtype=torch.float64))  # ||w|| = 5
    b = nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    lr, wd, eta, mom = 0.5, 0.1, 0.001, 0.9
    opt = LARS([{"params": [w]}, {"params": [b], "lars_exclude": True}],
               lr=lr, momentum=mom, weight_decay=wd, eta=eta)
    gw = torch.tensor([0.6, -0.8], dtype=torch.float64)
    gb = torch.tensor([0.5, 0.25], dtype=torch.float64)
    w.grad, b.grad = gw.clone(), gb.clone()
    opt.step()
    g = [0.6 + wd * 3.0, -0.8 + wd * 4.0]  # [0.9, -0.4]
    trust = eta * 5.0 / math.hypot(*g)
    v1 = [lr * trust * gi for gi in g]
    assert w.tolist() == pytest.approx([3.0 - v1[0], 4.0 - v1[1]], rel=1e-12)
    # excluded: no decay, no trust ratio: v = lr * g
    assert b.tolist() == pytest.approx([1.0 - lr * 0.5, -2.0 - lr * 0.25], rel=1e-12)
    # second step: momentum carries lr * trust inside the buffer
    w_prev = w.detach().clone()
    w.grad, b.grad = gw.clone(), gb.clone()
    opt.step()
    g2 = gw + wd * w_prev
    trust2 = eta * w_prev.norm().item() / g2.norm().item()
    v2 = [mom * v1[i] + lr * trust2 * g2[i].item() for i in range(2)]
    assert w.tolist() == pytest.approx([w_prev[0].item() - v2[0], w_prev[1].item() - v2[1]], rel=1e-12)
    vb = [mom * lr * 0.5 + lr * 0.5, mom * lr * 0.25 + lr * 0.25]
    assert b.tolist() == pytest.approx([1.0 - lr * 0.5 - vb[0], -2.0 - lr * 0.25 - vb[1]], rel=1e-12)


def test_zero_norms_fall_back_to_trust_one():
    w = nn.Parameter(torch.zeros(3))
    opt = LARS([w], lr=0.1, momentum=0.9, weight_decay=0.0, eta=0.001)
    w.grad = torch.tensor([1.0, 2.0, 3.0])
    opt.step()  # ||w|| = 0: official tf.where(w_norm > 0, ..., 1.0)
    assert w.tolist() == pytest.approx([-0.1, -0.2, -0.3])
    v = nn.Parameter(torch.tensor([1.0, 1.0]))
    opt = LARS([v], lr=0.1, weight_decay=0.0)
    v.grad = torch.zeros(2)
    opt.step()  # ||g|| = 0: no NaN, no move
    assert v.tolist() == [1.0, 1.0]


def test_build_optimizer_excludes_bias_and_bn():
    enc, dim = build_encoder(ModelConfig(arch="resnet18", base_channels=8), 32)
    model = SimCLRModel(enc, ProjectionHead(dim, 2, 16))
    model.encoder.fc = nn.Linear(dim, 3)  # a layer with a bias, to see it excluded
    opt = build_optimizer(OptimConfig(name="lars", weight_decay=1e-4), model, batch_size=512)
    assert isinstance(opt, LARS)
    incl, excl = opt.param_groups
    names = {id(p): n for n, p in model.named_parameters()}
    excl_names = {names[id(p)] for p in excl["params"]}
    incl_names = {names[id(p)] for p in incl["params"]}
    assert excl["lars_exclude"] and excl["weight_decay"] == 0.0
    assert not incl["lars_exclude"] and incl["weight_decay"] == 1e-4
    assert "encoder.bn1.weight" in excl_names and "encoder.fc.bias" in excl_names
    assert "head.net.1.bias" in excl_names  # middle BN centre
    assert "head.net.4.bias" not in excl_names | incl_names  # last BN: no centre (frozen)
    assert "encoder.conv1.weight" in incl_names and "head.net.0.weight" in incl_names
    assert all(p.ndim > 1 for p in incl["params"])
    assert incl["lr"] == pytest.approx(0.3 * 512 / 256)
    for name, cls in (("sgd", torch.optim.SGD), ("adamw", torch.optim.AdamW)):
        o = build_optimizer(OptimConfig(name=name, weight_decay=5e-4), model, 256)
        assert isinstance(o, cls)
        assert [g["weight_decay"] for g in o.param_groups] == [5e-4, 0.0]
    assert o.param_groups[0]["lr"] == pytest.approx(0.3)


def test_lars_step_applies_to_real_model_without_nan():
    torch.manual_seed(0)
    enc, dim = build_encoder(ModelConfig(arch="resnet18", base_channels=4), 16)
    model = SimCLRModel(enc, ProjectionHead(dim, 2, 8))
    opt = build_optimizer(OptimConfig(), model, 64)
    before = [p.detach().clone() for p in model.parameters()]
    _, z = model(torch.rand(4, 3, 16, 16))
    z.pow(2).sum().backward()
    opt.step()
    after = list(model.parameters())
    assert all(torch.isfinite(p).all() for p in after)
    assert any(not torch.equal(a, b) for a, b in zip(before, after))
    assert torch.equal(model.head.net[-1].bias, torch.zeros(8))  # frozen centre stays 0


def test_clip_caps_the_adapted_rate_at_lr():
    """LARC's clip mode (solo-learn clip_lr): the step is min(eta ||w||/||g||, lr) * g."""
    def one_step(lr, clip):
        w = nn.Parameter(torch.tensor([3.0, 4.0], dtype=torch.float64))  # ||w|| = 5
        opt = LARS([w], lr=lr, momentum=0.9, weight_decay=0.0, eta=0.01, clip=clip)
        w.grad = torch.tensor([0.06, -0.08], dtype=torch.float64)  # ||g|| = 0.1: eta ||w||/||g|| = 0.5
        opt.step()
        return (torch.tensor([3.0, 4.0], dtype=torch.float64) - w.detach()) / w.grad

    assert one_step(0.3, clip=True).tolist() == pytest.approx([0.3, 0.3])  # capped at lr
    assert one_step(2.0, clip=True).tolist() == pytest.approx([0.5, 0.5])  # the adapted rate itself
    assert one_step(0.3, clip=False).tolist() == pytest.approx([0.15, 0.15])  # lr * 0.5
    assert one_step(2.0, clip=False).tolist() == pytest.approx([1.0, 1.0])
