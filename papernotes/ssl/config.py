"""The engine's configuration: frozen dataclasses of plain values.

This is the single definition of every training knob. `papernotes.repro` validates specs
against these same classes (pydantic understands dataclasses), so nothing is declared twice.
`config_from_dict` is the engine's own strict loader for JSON/YAML files (no pydantic here).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DataName = Literal["synthetic", "cifar10", "cifar100", "stl10", "imagefolder"]
Arch = Literal["resnet18", "resnet34", "resnet50"]


@dataclass(frozen=True)
class DataConfig:
    name: DataName = "synthetic"
    root: str | None = None  # folder of the data set (cifar/stl/imagefolder)
    download: bool = False  # torchvision download (needs a network)
    image_size: int = 32  # side of the training views
    num_train: int = 5000  # synthetic only: images generated for training
    num_test: int = 1000  # synthetic only: held-out images for evaluation
    num_classes: int = 10  # synthetic only
    seed: int = 0  # synthetic only: the data set is a pure function of this seed


@dataclass(frozen=True)
class ModelConfig:
    arch: Arch = "resnet18"
    width: int = 1  # ResNet-50 width multiplier (1, 2, 4)
    cifar_stem: bool = True  # 3x3 stride-1 conv, no max-pool (small images)
    base_channels: int = 64  # 64 in torchvision's ResNets; smaller for CPU demos
    proj_depth: int = 2  # layers in the projection head (2 in the paper)
    proj_dim: int = 128  # output dimension of the head


@dataclass(frozen=True)
class AugConfig:
    color_strength: float = 0.5  # s: 0.5 for CIFAR, 1.0 for ImageNet
    crop_min_area: float = 0.08
    blur: bool = False  # Gaussian blur p=0.5 (ImageNet-size only)


@dataclass(frozen=True)
class OptimConfig:
    name: Literal["lars", "sgd", "adamw"] = "lars"
    base_lr: float = 0.3  # lr = base_lr * B/256 (linear) or base_lr * sqrt(B) (sqrt)
    lr_scaling: Literal["linear", "sqrt"] = "linear"
    weight_decay: float = 1e-6
    momentum: float = 0.9
    eta: float = 0.001  # LARS trust coefficient
    warmup_epochs: float = 10.0


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 100
    batch_size: int = 512  # global batch (all ranks together), in images (= pairs)
    temperature: float = 0.5
    seed: int = 0
    device: Literal["auto", "cpu", "cuda"] = "auto"
    precision: Literal["auto", "bf16", "fp32"] = "auto"  # auto: bf16 on GPU, fp32 on CPU; bf16 also on CPU
    channels_last: bool = True
    compile: bool = False
    sync_bn: bool = True  # global BN under DDP, as the paper
    checkpoint_every: int = 0  # steps; 0: only at the end
    log_every: int = 10  # steps between `step` events
    max_steps: int | None = None  # stop early (tests, smoke runs)
    deterministic: bool = False  # bitwise-reproducible CPU runs (tests)
    threads: int | None = None  # torch CPU threads; None: torch's default


@dataclass(frozen=True)
class EvalConfig:
    linear_method: Literal["sgd", "lbfgs"] = "sgd"
    linear_epochs: int = 90
    linear_lr: float = 0.1
    linear_batch_size: int = 256
    linear_weight_decay: float = 0.0
    knn_k: int = 200
    knn_temperature: float = 0.1
    monitor_every: int = 1  # epochs between kNN monitor evaluations; 0: never
    online_probe: bool = True
    random_init_baseline: bool = True


@dataclass(frozen=True)
class PretrainConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    aug: AugConfig = field(default_factory=AugConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    out_dir: str = "runs/simclr"  # checkpoints, events, reports


class ConfigError(ValueError):
    """A config value that does not fit; `path` is the dotted field (`train.batch_size`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def _coerce(value: Any, tp: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(path, f"expected a mapping, got {type(value).__name__}")
        return _build(tp, value, path + ".")
    if origin is Literal:
        if value not in typing.get_args(tp):
            raise ConfigError(path, f"expected one of {list(typing.get_args(tp))}, got {value!r}")
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, path)
            except ConfigError as exc:
                errors.append(exc)
        raise errors[0]
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(path, f"expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(path, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(path, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(path, f"expected a string, got {value!r}")
        return value
    raise ConfigError(path, f"unsupported type {tp!r}")


def _build(cls: type, data: dict, prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}", f"unknown field (known: {', '.join(sorted(names))})")
    kwargs = {k: _coerce(v, hints[k], f"{prefix}{k}") for k, v in data.items()}
    return cls(**kwargs)


def config_from_dict(data: dict) -> PretrainConfig:
    """Strictly build a config: unknown fields and wrong types raise ConfigError with the path."""
    cfg = _build(PretrainConfig, data, "")
    check_config(cfg)
    return cfg


def check_config(cfg: PretrainConfig) -> None:
    """Cross-field and range checks, shared by the engine and the repro spec validator."""
    positive = {
        "train.epochs": cfg.train.epochs, "train.batch_size": cfg.train.batch_size,
        "train.temperature": cfg.train.temperature, "optim.base_lr": cfg.optim.base_lr,
        "data.image_size": cfg.data.image_size, "model.proj_dim": cfg.model.proj_dim,
        "model.width": cfg.model.width, "model.proj_depth": cfg.model.proj_depth,
        "eval.linear_epochs": cfg.eval.linear_epochs, "eval.knn_k": cfg.eval.knn_k,
    }
    for name, value in positive.items():
        if value <= 0:
            raise ConfigError(name, f"must be positive, got {value}")
    if not 0 < cfg.aug.crop_min_area <= 1:
        raise ConfigError("aug.crop_min_area", "must be in (0, 1]")
    if cfg.optim.weight_decay < 0:
        raise ConfigError("optim.weight_decay", "must be >= 0")
    if cfg.model.width != 1 and cfg.model.arch != "resnet50":
        raise ConfigError("model.width", "width multipliers are for resnet50 only")
    if cfg.data.name != "synthetic" and cfg.data.root is None and not cfg.data.download:
        raise ConfigError("data.root", f"data set {cfg.data.name!r} needs a folder (or download: true)")


def config_to_dict(cfg: PretrainConfig) -> dict:
    return dataclasses.asdict(cfg)


def load_config_file(path: str | Path) -> PretrainConfig:
    """Read a JSON (or, if PyYAML is installed, YAML) file of plain values."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml  # optional: the engine itself only needs JSON
        except ImportError:
            raise ConfigError("config", f"{path}: YAML needs PyYAML; pass a .json file") from None
        data = yaml.safe_load(text) or {}
    else:
        data = json.loads(text)
    return config_from_dict(data)
