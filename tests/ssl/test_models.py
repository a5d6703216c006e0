"""Encoders: torchvision's ResNets exactly at base 64, width multipliers scale every channel,
CIFAR stem, fc = Identity; the projection head's official layout."""

import pytest
import torch
import torchvision
from torch import nn

from papernotes.ssl.config import ModelConfig
from papernotes.ssl.models.encoders import ProjectionHead, build_encoder

from .encoder_head import SimCLRModel


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


@pytest.mark.parametrize("arch,dim", [("resnet18", 512), ("resnet34", 512), ("resnet50", 2048)])
def test_same_parameters_as_torchvision(arch, dim):
    enc, d = build_encoder(ModelConfig(arch=arch, cifar_stem=False), 224)
    ref = getattr(torchvision.models, arch)(weights=None)
    ref.fc = nn.Identity()
    assert d == dim
    assert [(n, p.shape) for n, p in enc.named_parameters()] == \
        [(n, p.shape) for n, p in ref.named_parameters()]
    enc.load_state_dict(ref.state_dict())  # the same state dict loads: same architecture
    if arch != "resnet18":
        return  # same shapes and state dict; one forward check (below) covers the code path
    enc.eval(), ref.eval()
    x = torch.rand(2, 3, 32, 32)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.no_grad():
        torch.testing.assert_close(enc(x), ref((x - mean) / std), atol=1e-5, rtol=1e-4)


def test_width_multiplier_scales_every_channel():
    enc2, d2 = build_encoder(ModelConfig(arch="resnet50", width=2, cifar_stem=False), 224)
    assert d2 == 4096  # official ResNet-50 (2x): 2048 * 2 features
    assert enc2.conv1.out_channels == 128
    assert enc2.layer1[0].conv1.out_channels == 128  # bottleneck width doubled too
    # about 4x the parameters of ResNet-50 (the paper's 94M for 2x incl. fc, 24M for 1x)
    enc1, _ = build_encoder(ModelConfig(arch="resnet50", cifar_stem=False), 224)
    assert 3.8 < n_params(enc2) / n_params(enc1) < 4.1


def test_cifar_stem_and_tiny_base_channels():
    enc, d = build_encoder(ModelConfig(arch="resnet18", base_channels=8, cifar_stem=True), 32)
    assert d == 64
    assert enc.conv1.kernel_size == (3, 3) and enc.conv1.stride == (1, 1)
    assert isinstance(enc.maxpool, nn.Identity) and isinstance(enc.fc, nn.Identity)
    acts = {}

    def keep(module, inputs, output):
        acts["l4"] = output.shape

    enc.layer4.register_forward_hook(keep)
    h = enc(torch.rand(3, 3, 32, 32))
    assert h.shape == (3, 64)
    assert acts["l4"][-2:] == (4, 4)  # 32 / 8: the stem does not downsample
    # residual branches start at zero (official init_zero on the last BN of each block)
    assert all(torch.all(b.bn2.weight == 0) for b in enc.layer1)


def test_channels_last_gives_same_output():
    torch.manual_seed(0)
    enc, _ = build_encoder(ModelConfig(arch="resnet18", base_channels=8), 32)
    enc.eval()
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        a = enc(x)
        enc_cl = enc.to(memory_format=torch.channels_last)
        b = enc_cl(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_projection_head_layout():
    head = ProjectionHead(64, depth=3, out_dim=16)
    kinds = [type(m).__name__ for m in head.net]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU"] * 2 + ["Linear", "BatchNorm1d"]
    linears = [m for m in head.net if isinstance(m, nn.Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == [(64, 64), (64, 64), (64, 16)]
    assert all(l.bias is None for l in linears)  # BN follows every dense layer
    last_bn = head.net[-1]
    assert last_bn.weight.requires_grad and not last_bn.bias.requires_grad
    # SyncBatchNorm conversion (DDP, global BN) keeps the frozen centre frozen
    synced = nn.SyncBatchNorm.convert_sync_batchnorm(ProjectionHead(64, 2, 16))
    assert isinstance(synced.net[-1], nn.SyncBatchNorm)
    assert not synced.net[-1].bias.requires_grad and synced.net[-1].weight.requires_grad
    z = head(torch.randn(10, 64))
    assert z.shape == (10, 16)
    # training-mode BN without centre: every output unit has mean 0 over the batch
    torch.testing.assert_close(z.mean(0), torch.zeros(16), atol=1e-5, rtol=0)


def test_simclr_model_forward_and_default_depth():
    enc, d = build_encoder(ModelConfig(arch="resnet18", base_channels=4), 16)
    model = SimCLRModel(enc, ProjectionHead(d))
    h, z = model(torch.rand(4, 3, 16, 16))
    assert h.shape == (4, d) and z.shape == (4, 128)
    assert sum(isinstance(m, nn.Linear) for m in model.head.net) == 2
    with pytest.raises(ValueError):
        build_encoder(ModelConfig(arch="resnet18"), 4)
