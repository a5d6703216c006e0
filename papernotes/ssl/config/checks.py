"""Cross-field and range checks of a `PretrainConfig`, shared by the engine and the repro spec validator.

The types are already checked when the config is built (`config_coerce.py`); these are the
rules between fields (a width multiplier only for ResNet-50, a patch size that divides the
image) and the ranges, ending with the method's own `check(cfg)` (its `Options`, in the method's file). Each
failure is a `ConfigError` naming the dotted field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes.ssl.config.errors import ConfigError

if TYPE_CHECKING:
    from papernotes.ssl.config.model import PretrainConfig


def check_config(cfg: PretrainConfig) -> None:
    """Cross-field and range checks, shared by the engine and the repro spec validator."""
    positive = {
        "train.epochs": cfg.train.epochs, "train.batch_size": cfg.train.batch_size,
        "optim.base_lr": cfg.optim.base_lr,
        "data.image_size": cfg.data.image_size, "model.proj_dim": cfg.model.proj_dim,
        "model.width": cfg.model.width, "model.proj_depth": cfg.model.proj_depth,
        "eval.linear_epochs": cfg.eval.linear_epochs, "eval.knn_k": cfg.eval.knn_k,
    }
    for name, value in positive.items():
        if value <= 0:
            raise ConfigError(name, f"must be positive, got {value}")
    if 0 < cfg.data.image_size < 8:  # models.build_encoder's floor, refused before anything starts
        raise ConfigError("data.image_size", f"views of {cfg.data.image_size}px are too small for a ResNet (at least 8)")
    if not 0 <= cfg.data.shape_rotation <= 180:
        raise ConfigError("data.shape_rotation", f"must be in [0, 180] degrees, got {cfg.data.shape_rotation}")
    if not 0 < cfg.aug.crop_min_area <= 1:
        raise ConfigError("aug.crop_min_area", "must be in (0, 1]")
    if cfg.optim.weight_decay < 0:
        raise ConfigError("optim.weight_decay", "must be >= 0")
    from papernotes.ssl.registry import backbones

    if cfg.model.arch not in backbones():
        raise ConfigError("model.arch", f"unknown backbone {cfg.model.arch!r} (known: {', '.join(backbones())})")
    _check_schedule(cfg.optim)
    if cfg.model.width != 1 and cfg.model.arch != "resnet50":
        raise ConfigError("model.width", "width multipliers are for resnet50 only")
    check_encoder = getattr(cfg.method_cfg, "check_encoder", None)  # a method that needs one kind (MAE: a ViT)
    if check_encoder is not None:
        check_encoder(cfg)
    _check_vit(cfg)
    if cfg.data.name != "synthetic" and cfg.data.root is None and not cfg.data.download:
        raise ConfigError("data.root", f"data set {cfg.data.name!r} needs a folder (or download: true)")
    for name in ("blur_prob", "solarize_prob"):
        for i, p in enumerate(getattr(cfg.aug, name)):
            if not 0 <= p <= 1:
                raise ConfigError(f"aug.{name}[{i}]", f"a probability must be in [0, 1], got {p}")
    cfg.method_cfg.check(cfg)


def _check_schedule(optim) -> None:
    """The schedule's end values (optim/schedule.py): non-negative, one way to give the cosine's end."""
    for name in ("warmup_start_lr", "final_lr", "final_lr_ratio", "weight_decay_end"):
        value = getattr(optim, name)
        if value is not None and value < 0:
            raise ConfigError(f"optim.{name}", f"must be >= 0, got {value}")
    if optim.final_lr and optim.final_lr_ratio:
        raise ConfigError("optim.final_lr_ratio", "set the cosine's end once: final_lr (absolute) or "
                                                  "final_lr_ratio (of the peak), not both")
    if optim.final_lr_ratio > 1:
        raise ConfigError("optim.final_lr_ratio", f"must be at most 1 (a fraction of the peak), got {optim.final_lr_ratio}")


def _check_vit(cfg: PretrainConfig) -> None:
    """The ViT fields, and the new optimiser/evaluation fields' ranges."""
    m, ec = cfg.model, cfg.eval
    if m.patch_size <= 0:
        raise ConfigError("model.patch_size", f"must be positive, got {m.patch_size}")
    if m.arch.startswith("vit"):
        if cfg.data.image_size % m.patch_size:
            raise ConfigError("model.patch_size", f"patch size {m.patch_size} does not divide the image size "
                                                  f"{cfg.data.image_size} (data.image_size)")
        if m.vit_depth is not None and m.vit_depth <= 0:
            raise ConfigError("model.vit_depth", f"must be positive, got {m.vit_depth}")
    elif m.vit_depth is not None:
        raise ConfigError("model.vit_depth", f"is for ViT archs, not {m.arch}")
    if len(cfg.optim.betas) != 2 or not all(0 <= b < 1 for b in cfg.optim.betas):
        raise ConfigError("optim.betas", f"expected two numbers in [0, 1), got {list(cfg.optim.betas)}")
    if ec.finetune_epochs < 0:
        raise ConfigError("eval.finetune_epochs", f"must be >= 0, got {ec.finetune_epochs}")
    for name in ("finetune_lr", "finetune_batch_size"):
        if getattr(ec, name) <= 0:
            raise ConfigError(f"eval.{name}", f"must be positive, got {getattr(ec, name)}")
    if not 0 < ec.finetune_layer_decay <= 1:
        raise ConfigError("eval.finetune_layer_decay", f"must be in (0, 1], got {ec.finetune_layer_decay}")
    if ec.finetune_layer_decay != 1 and not m.arch.startswith("vit"):
        raise ConfigError("eval.finetune_layer_decay", f"layer-wise lr decay is for ViT archs, not {m.arch}")
