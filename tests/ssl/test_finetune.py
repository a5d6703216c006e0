"""The evaluation options MAE reports with: a linear probe behind main_linprobe.py's BatchNorm
and an end-to-end fine-tune (main_finetune.py) of a copy of the encoder."""

import torch

from papernotes.ssl.config import EvalConfig, ModelConfig
from papernotes.ssl.evaluation.finetune import Classifier, finetune, param_groups
from papernotes.ssl.evaluation.linear import checksum, fit_linear
from papernotes.ssl.models.encoders import build_encoder


def test_linear_bn_is_a_parameter_free_batchnorm_with_the_full_set_statistics():
    g = torch.Generator().manual_seed(0)
    f = 3.0 + 2.0 * torch.randn(200, 8, generator=g)
    y = (f[:, 0] > 3.0).long()
    clf = fit_linear(f, y, 2, EvalConfig(linear_method="lbfgs", linear_epochs=2, linear_bn=True))
    bn = clf[0]
    assert not bn.affine and bn.eps == 1e-6 and not bn.training
    assert torch.allclose(bn.running_mean, f.mean(0), atol=1e-5)
    assert torch.allclose(bn.running_var, f.var(0), atol=1e-4)


def test_finetune_trains_a_copy_with_layer_decay():
    torch.manual_seed(0)
    enc, dim = build_encoder(ModelConfig(arch="vit_tiny", patch_size=8, vit_depth=2), 16)
    ec = EvalConfig(finetune_epochs=1, finetune_batch_size=16, finetune_layer_decay=0.5, finetune_warmup_epochs=0)
    groups = param_groups(Classifier(enc, dim, 3), ec)
    scale = {id(p): g["lr_scale"] for g in groups for p in g["params"]}
    wd = {id(p): g["weight_decay"] for g in groups for p in g["params"]}
    assert scale[id(enc.patch_embed.weight)] == 0.5 ** 3 and scale[id(enc.blocks[0].qkv.weight)] == 0.5 ** 2
    assert scale[id(enc.blocks[1].fc1.weight)] == 0.5 and scale[id(enc.norm.weight)] == 1.0
    assert wd[id(enc.cls_token)] == 0.0 and wd[id(enc.blocks[0].qkv.bias)] == 0.0 and wd[id(enc.blocks[0].qkv.weight)] == 0.05
    x = torch.randint(0, 256, (32, 3, 16, 16), dtype=torch.uint8)
    y = torch.arange(32) % 3
    before = checksum(enc)
    out = finetune(enc, x, y, x[:8], y[:8], 3, ec, 16, lambda t: t.float() / 255, seed=0)
    assert checksum(enc) == before and out["steps"] == 2 and 0 <= out["top1"] <= 100
