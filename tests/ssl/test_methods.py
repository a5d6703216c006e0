"""The method seam: every registered method trains through the one loop, resumes bitwise on CPU
(every piece of method state in the checkpoint), and refuses options it does not have."""

from __future__ import annotations

import pytest
import torch

from papernotes.repro.launch.layout import checkpoint_file
from papernotes.ssl.checkpoint import load_checkpoint
from papernotes.ssl.config import ConfigError, config_from_dict, config_to_dict
from papernotes.ssl.methods import methods
from papernotes.ssl.pretrain import run

# Per method: options that make it tiny (a few seconds on a 2-core CPU).
TINY_OPTIONS: dict[str, dict] = {
    "simclr": {"temperature": 0.2},
    "mocov2": {"queue_size": 64, "mlp_hidden": 32},
    "byol": {"proj_hidden": 32, "proj_dim": 16, "pred_hidden": 32},
    "barlowtwins": {"projector": "32-32"},
    # multi-crop at 16/8 px; the queue starts at epoch 1 (step 3) and is read from step 4, the
    # resumed step; prototypes frozen for steps 0-1
    "swav": {"nmb_crops": [2, 2], "size_crops": [16, 8], "min_scale_crops": [0.3, 0.1],
             "max_scale_crops": [1.0, 0.3], "feat_dim": 16, "nmb_prototypes": 8, "hidden_mlp": 32,
             "queue_length": 32, "epoch_queue_starts": 1, "freeze_prototypes_niters": 2},
    # teacher temperature warmed up over epoch 0-1, last layer frozen in epoch 0
    "dino": {"out_dim": 32, "hidden_dim": 32, "bottleneck_dim": 8, "local_crops_number": 2,
             "local_crops_size": 8, "teacher_temp": 0.07, "warmup_teacher_temp_epochs": 2},
    "mae": {"decoder_embed_dim": 32, "decoder_depth": 1, "decoder_num_heads": 4},
    "rotnet": {"pad_crop": 2},
}
# Per method: model options, where the method needs another encoder than the tiny ResNet.
TINY_MODEL: dict[str, dict] = {
    "mae": {"arch": "vit_tiny", "patch_size": 4, "vit_depth": 1},
}


def tiny(method: str, out_dir, **train) -> dict:
    return {
        "method": method, method: TINY_OPTIONS.get(method, {}),
        "data": {"num_train": 96, "num_test": 32, "image_size": 16},
        "model": {"base_channels": 4, "cifar_stem": False, "proj_dim": 16, **TINY_MODEL.get(method, {})},
        "train": {"epochs": 2, "batch_size": 32, "device": "cpu", "channels_last": False, "log_every": 1,
                  "threads": 1, "deterministic": True, **train},
        "optim": {"base_lr": 0.5, "weight_decay": 1e-4, "warmup_epochs": 1},
        "eval": {"linear_method": "lbfgs", "linear_epochs": 1, "knn_k": 5, "random_init_baseline": False},
        "out_dir": str(out_dir),
    }


BUILTIN = ("simclr", "mocov2", "byol", "barlowtwins", "swav", "dino", "mae", "rotnet")


def test_every_builtin_is_registered_with_its_options():
    registered = methods()
    assert set(BUILTIN) <= set(registered)
    assert set(TINY_OPTIONS) >= set(BUILTIN), "give every method tiny options here"
    for name in BUILTIN:
        assert registered[name].name == name and registered[name].Options.__dataclass_params__.frozen


@pytest.mark.parametrize("method", sorted(BUILTIN))
def test_killed_and_resumed_run_is_bitwise_the_uninterrupted_one(tmp_path, method):
    full = run(config_from_dict(tiny(method, tmp_path / "full")))
    part = run(config_from_dict(tiny(method, tmp_path / "part", max_steps=4)))  # stops mid-epoch 2
    assert part["status"] == "finished"
    assert load_checkpoint(checkpoint_file(tmp_path / "part"))["step"] == 4
    resumed = run(config_from_dict(tiny(method, tmp_path / "part")), resume=True)
    assert resumed == full  # every metric, floats compared exactly
    ref = load_checkpoint(checkpoint_file(tmp_path / "full"))
    got = load_checkpoint(checkpoint_file(tmp_path / "part"))
    assert ref["step"] == got["step"] == 6
    assert ref["model"].keys() == got["model"].keys()
    for key, value in ref["model"].items():  # networks, target/momentum copies, queue, centre, ...
        assert torch.equal(value, got["model"][key]), key
    assert torch.isfinite(torch.tensor(full["train/loss"]))


def test_config_round_trips_with_the_method_section_under_its_name(tmp_path):
    for method in BUILTIN:
        cfg = config_from_dict(tiny(method, tmp_path))
        raw = config_to_dict(cfg)
        assert raw["method"] == method and method in raw and "method_cfg" not in raw
        assert not (set(BUILTIN) - {method}) & set(raw)
        assert config_from_dict(raw) == cfg


@pytest.mark.parametrize("patch, field", [
    ({"method": "simclr2"}, "method"),
    ({"method": "byol", "mocov2": {"queue_size": 64}}, "mocov2"),  # another method's section
    ({"method": "mocov2", "mocov2": {"pred_hidden": 64}}, "mocov2.pred_hidden"),  # a predictor on MoCo
    ({"method": "byol", "byol": {"queue_size": 64}}, "byol.queue_size"),  # a queue on BYOL
    ({"method": "mocov2", "mocov2": {"queue_size": 4096}}, "mocov2.queue_size"),  # longer than 96 images
    ({"method": "mocov2", "mocov2": {"queue_size": 48}}, "mocov2.queue_size"),  # not a batch multiple
    ({"aug": {"blur_prob": [1.0, 1.5]}}, "aug.blur_prob[1]"),
    ({"aug": {"solarize_prob": 0.2}}, "aug.solarize_prob"),
])
def test_bad_method_options_name_their_field(tmp_path, patch, field):
    raw = tiny("simclr", tmp_path)
    raw.pop("simclr")
    raw.pop("method")
    raw.update(patch)
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw)
    assert err.value.field == field
