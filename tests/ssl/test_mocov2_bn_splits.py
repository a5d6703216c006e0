"""MoCo v2's --bn-splits (colab/moco_cifar10_demo.ipynb) in one process: BN statistics per split,
the key batch shuffled across the splits and given back in order, and runs still resume bitwise."""

import torch

from papernotes.repro.launch.layout import checkpoint_file
from papernotes.ssl.checkpoint import load_checkpoint
from papernotes.ssl.config import config_from_dict
from papernotes.ssl.methods import build_method
from papernotes.ssl.pretrain import run


def _raw(out_dir, **train) -> dict:
    return {"method": "mocov2", "mocov2": {"queue_size": 64, "mlp_hidden": 16, "bn_splits": 4},
            "data": {"num_train": 96, "num_test": 32, "image_size": 16},
            "model": {"base_channels": 4, "cifar_stem": False, "proj_dim": 8},
            "train": {"epochs": 2, "batch_size": 32, "device": "cpu", "channels_last": False, "threads": 1,
                      "deterministic": True, **train},
            "optim": {"base_lr": 0.5, "warmup_epochs": 1},
            "eval": {"linear_method": "lbfgs", "linear_epochs": 1, "knn_k": 5, "random_init_baseline": False},
            "out_dir": str(out_dir)}


@torch.no_grad()
def test_keys_come_back_in_order_with_per_split_statistics(tmp_path):
    torch.manual_seed(0)
    m = build_method(config_from_dict(_raw(tmp_path)))
    x = torch.rand(32, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    m.eval()  # running statistics: a key no longer depends on its split, so only the order is tested
    torch.testing.assert_close(m._keys_of(x, 3), m.key_head(m.key_encoder(x)))
    m.train()  # batch statistics of a shuffled quarter of the batch: not the whole batch's
    assert not torch.allclose(m._keys_of(x, 3), m.key_head(m.key_encoder(x)), atol=1e-3)
    split = m._split(m.encoder, x)
    torch.testing.assert_close(split[8:16], m.encoder(x[8:16]))  # the second split on its own


def test_bn_splits_run_resumes_bitwise(tmp_path):
    full = run(config_from_dict(_raw(tmp_path / "full")))
    run(config_from_dict(_raw(tmp_path / "part", max_steps=4)))
    assert run(config_from_dict(_raw(tmp_path / "part")), resume=True) == full
    ref = load_checkpoint(checkpoint_file(tmp_path / "full"))["model"]
    got = load_checkpoint(checkpoint_file(tmp_path / "part"))["model"]
    for key, value in ref.items():
        assert torch.equal(value, got[key]), key
