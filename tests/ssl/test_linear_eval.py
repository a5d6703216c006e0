import pytest
import torch
from torch import nn

from papernotes.ssl.config import EvalConfig
from papernotes.ssl.evaluation.linear import EncoderChanged, checksum, evaluate_frozen, linear_probe


def _separable(n, g):
    y = torch.randint(0, 5, (n,), generator=g)
    centers = torch.randn(5, 16, generator=g) * 3
    return centers[y] + torch.randn(n, 16, generator=g), y


@pytest.mark.parametrize("method", ["sgd", "lbfgs"])
def test_linear_probe_learns_separable_features(method):
    g = torch.Generator().manual_seed(0)
    trf, trY = _separable(400, g)
    tef, teY = _separable(200, g)
    # same centres: regenerate test with the train generator's centres
    g2 = torch.Generator().manual_seed(0)
    torch.randint(0, 5, (400,), generator=g2)  # the train labels' draw: the centres come after it
    centers = torch.randn(5, 16, generator=g2) * 3
    tef = centers[teY] + torch.randn(200, 16, generator=g)
    cfg = EvalConfig(linear_method=method, linear_epochs=20, linear_batch_size=64)
    r = linear_probe(trf, trY, tef, teY, 5, cfg)
    assert r["top1"] > 95 and r["top5"] == 100.0 and r["feature_dim"] == 16
    # Random labels: near chance.
    r = linear_probe(trf, trY[torch.randperm(400, generator=g)], tef, teY, 5, cfg)
    assert r["top1"] < 45


def _images(n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, 8, 8), dtype=torch.uint8, generator=g), torch.randint(0, 3, (n,), generator=g)


def test_frozen_encoder_unchanged_even_with_batchnorm_in_train_mode():
    enc = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
    enc.train()
    before = checksum(enc)
    trx, tr_y = _images(64, 0)
    tex, te_y = _images(32, 1)
    seen = []
    r = evaluate_frozen(enc, trx, tr_y, tex, te_y, 3, EvalConfig(linear_epochs=2), lambda x: x.float() / 255,
                        progress=lambda d, t: seen.append((d, t)))
    assert checksum(enc) == before and enc.training  # BN stats untouched, mode restored
    assert 0 <= r["top1"] <= 100 and seen[-1] == (96, 96)


class _Leaky(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("calls", torch.zeros(()))

    def forward(self, x):
        self.calls += 1
        return x.flatten(1)


def test_a_changing_encoder_is_caught():
    trx, tr_y = _images(16, 0)
    with pytest.raises(EncoderChanged):
        evaluate_frozen(_Leaky(), trx, tr_y, trx, tr_y, 3, EvalConfig(linear_epochs=1), lambda x: x.float())
