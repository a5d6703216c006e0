"""The engine's configuration: frozen dataclasses of plain values.

This is the single definition of every training knob: `papernotes.repro` derives a spec's
sections from these classes (`config_sections`, `section_type`) and validates every profile with
`config_from_dict`, so nothing is declared twice. `config_from_dict` is the engine's own strict
loader for JSON/YAML files (plain Python, no pydantic).

`method` names a registered method (`papernotes/ssl/registry.py`: the built-ins and a workspace's
`repro/methods/*.py`); its typed section is `PretrainConfig.method_cfg`, an instance of the
method's `Options`, written `<method>: {...}` in a file. A method whose `Options` subclasses its
parent's also reads the parent's section (`simclr:` then `simclr_uniform:` on top).
Typed values (`coerce`) live in `config_coerce.py` and the cross-field checks (`check_config`) in
`config_checks.py`; both are re-exported here, the one import for callers.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from papernotes.ssl.config.checks import check_config
from papernotes.ssl.config.coerce import build_dataclass, coerce
from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.registry import RESERVED, methods, option_lineage, options_class
from papernotes.ssl.user_code import load_file, pins

DataName = Literal["synthetic", "cifar10", "cifar100", "stl10", "imagefolder"]


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
    shape_rotation: float = 180.0  # synthetic only: shapes turned by U(-r, r) degrees; 180: any angle
    # imagefolder only (streamed, papernotes/ssl/data/stream.py): a file of class folder names, one a
    # line, for a subset (ImageNet-100 as solo-learn's list); relative paths are to data.root
    class_list: str | None = None
    workers: int = 4  # imagefolder only: DataLoader worker processes per rank reading and decoding JPEGs


@dataclass(frozen=True)
class ModelConfig:
    arch: str = "resnet18"  # a registered backbone: resnet18/34/50, vit_tiny/small/base, or the user's
    width: int = 1  # ResNet-50 width multiplier (1, 2, 4)
    cifar_stem: bool = True  # 3x3 stride-1 conv, no max-pool (small images)
    base_channels: int = 64  # 64 in torchvision's ResNets; smaller for CPU demos
    proj_depth: int = 2  # layers in the projection head (2 in the paper)
    proj_dim: int = 128  # output dimension of the head
    # ViTs only (papernotes/ssl/models/vit.py): patch side, feature = mean patch token instead of the
    # class token (MAE's --global_pool), and fewer blocks than the arch's 12 for CPU demos
    patch_size: int = 16
    global_pool: bool = False
    vit_depth: int | None = None


@dataclass(frozen=True)
class AugConfig:
    color_strength: float = 0.5  # s: 0.5 for CIFAR, 1.0 for ImageNet
    crop_min_area: float = 0.08
    blur: bool = False  # Gaussian blur p=0.5 (ImageNet-size only)
    # Explicit jitter strengths (None: from color_strength, 0.8 s for the first three, 0.2 s hue);
    # BYOL and Barlow Twins use brightness 0.4, contrast 0.4, saturation 0.2, hue 0.1.
    brightness: float | None = None
    contrast: float | None = None
    saturation: float | None = None
    hue: float | None = None
    # Per-view probabilities, view i taking entry i (the last one repeats): () means
    # `0.5 if blur else 0` for blur and 0 for solarisation. BYOL: blur (1.0, 0.1), solarise (0.0, 0.2).
    blur_prob: tuple[float, ...] = ()
    solarize_prob: tuple[float, ...] = ()


@dataclass(frozen=True)
class OptimConfig:
    name: Literal["lars", "sgd", "adamw"] = "lars"
    base_lr: float = 0.3  # lr = base_lr * B/256 (linear) or base_lr * sqrt(B) (sqrt)
    lr_scaling: Literal["linear", "sqrt"] = "linear"
    weight_decay: float = 1e-6
    momentum: float = 0.9
    eta: float = 0.001  # LARS trust coefficient
    warmup_epochs: float = 10.0
    # Schedule end values (schedule.py); the defaults are simclr's: warm-up from 0, cosine to 0.
    warmup_start_lr: float = 0.0  # lr at the warm-up's first step, absolute (SwAV main_swav.py --start_warmup)
    final_lr: float = 0.0  # the cosine's end, absolute (SwAV --final_lr, DINO --min_lr)
    final_lr_ratio: float = 0.0  # the cosine's end as a fraction of the peak (Barlow Twins main.py: 0.001)
    weight_decay_end: float | None = None  # cosine from weight_decay to this over the run (DINO); None: constant
    nesterov: bool = True  # sgd: Nesterov momentum (simclr model_util.py); MoCo uses plain momentum
    exclude_bias_bn: bool = True  # biases/BN out of weight decay (and LARS); MoCo decays every parameter
    bias_lr_scale: float = 1.0  # lr of biases/BN over that of weights (Barlow Twins: 0.0048 / 0.2)
    lars_clip: bool = False  # LARC clip (solo-learn clip_lr): adapted rate min(eta |w|/|g|, lr)
    betas: tuple[float, ...] = (0.9, 0.999)  # adamw (torch's default); MAE pretraining: (0.9, 0.95)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 100
    batch_size: int = 512  # global batch (all ranks together), in images (= pairs)
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
    # BatchNorm1d(affine=False, eps=1e-6) before the linear layer, trained with it (MAE
    # main_linprobe.py) instead of standardising the features with the training mean/std
    linear_bn: bool = False
    # Which linear evaluation: "cached_features" (the fast path: features of un-augmented images
    # computed once, the demos and the kNN monitor) or "official" (main_lincls.py, eval_linear.py,
    # main_linprobe.py: RandomResizedCrop + flip of the training split every epoch through the frozen
    # encoder, SGD momentum 0.9 with cosine lr, scored on the eval transform; evaluation/linear_official.py)
    linear_protocol: Literal["cached_features", "official"] = "cached_features"
    # ViTs: the linear classifier reads the class tokens of the last n blocks, concatenated
    # (DINO eval_linear.py --n_last_blocks: 4 for ViT-S/16, 1 for ViT-B/16)
    linear_last_blocks: int = 1
    # End-to-end fine-tuning of the encoder + a linear head (finetune.py); 0 epochs: off. AdamW,
    # lr = finetune_lr * B/256, warm-up then cosine, label smoothing 0.1 (MAE main_finetune.py).
    finetune_epochs: int = 0
    finetune_lr: float = 1e-3  # main_finetune.py --blr default
    finetune_batch_size: int = 256
    finetune_weight_decay: float = 0.05  # main_finetune.py --weight_decay
    finetune_layer_decay: float = 1.0  # ViTs: layer-wise lr decay (0.75 main_finetune.py); 1: off
    finetune_warmup_epochs: float = 5.0  # main_finetune.py --warmup_epochs


@dataclass(frozen=True)
class PretrainConfig:
    method: str = "simclr"  # a registered method (papernotes/ssl/registry.py)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    aug: AugConfig = field(default_factory=AugConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    out_dir: str = "runs/simclr"  # checkpoints, events, reports
    method_cfg: Any = None  # the method's section (its Options); None: its defaults

    def __post_init__(self) -> None:
        cls = _options(self.method)
        if self.method_cfg is None:
            object.__setattr__(self, "method_cfg", cls())
        elif not isinstance(self.method_cfg, cls):
            raise ConfigError(self.method, f"expected a {cls.__name__}, got {type(self.method_cfg).__name__}")


def _options(method: str) -> type:
    cls = options_class(method)
    if cls is None:
        raise ConfigError("method", f"unknown method {method!r} (known: {', '.join(methods())})")
    return cls


def config_sections() -> tuple[str, ...]:
    """The top-level keys a config mapping may hold: its fields, then one section per method
    registered now (the workspace's methods once they are loaded)."""
    return plain_sections() + tuple(methods())


def plain_sections() -> tuple[str, ...]:
    """The config's own top-level keys, without the methods' sections (torch-free: no method
    is loaded to list them)."""
    return tuple(f.name for f in dataclasses.fields(PretrainConfig) if f.name != "method_cfg")


def section_type(name: str) -> Any:
    """The declared type of a top-level key (a dataclass for a section); KeyError if unknown."""
    if name not in RESERVED and options_class(name) is not None:
        return options_class(name)
    if name == "method_cfg" or name not in config_sections():
        raise KeyError(name)
    return typing.get_type_hints(PretrainConfig)[name]


def config_from_dict(data: dict) -> PretrainConfig:
    """Strictly build a config: unknown fields and wrong types raise ConfigError with the path.

    `method` picks the method; the section under its name, if any, is its typed options, and a
    section of any other method is an error (an option the method does not have)."""
    data = dict(data)
    load_pinned(data.pop("code", None))  # the user's files a launched config names, loaded first
    method = data.get("method", "simclr")
    if not isinstance(method, str):
        raise ConfigError("method", f"expected a method's name, got {method!r}")
    cls = _options(method)
    lineage = option_lineage(method)  # the parents' sections apply too, root first
    for other in methods():
        if other not in lineage and other in data:
            raise ConfigError(other, f"options of method {other!r}, but this config runs {method!r} "
                                     f"(its options go under '{method}:')")
    if "method_cfg" in data:
        raise ConfigError("method_cfg", f"write the method's options under '{method}:'")
    section: dict = {}
    for name in lineage:
        part = data.pop(name, None)
        if part is not None and not isinstance(part, dict):
            raise ConfigError(name, f"expected a mapping, got {type(part).__name__}")
        section.update(part or {})
    method_cfg = coerce(section, cls, method)
    cfg = build_dataclass(PretrainConfig, {**data, "method_cfg": None}, "")
    cfg = dataclasses.replace(cfg, method_cfg=method_cfg)
    check_config(cfg)
    return cfg


def config_to_dict(cfg: PretrainConfig) -> dict:
    """Plain values, the method's section under its name: `config_from_dict` reads it back.
    A method or backbone of the user's adds `code`: each file's path and sha256, which a rank
    or an arm loads (and checks) before it reads the method."""
    out = dataclasses.asdict(cfg)
    out[cfg.method] = out.pop("method_cfg")
    code = pins(cfg.method, cfg.model.arch)
    if code:
        out["code"] = [{"path": str(m.path), "sha256": m.sha256} for m in code]
    return out


def load_pinned(code: Any) -> None:
    if code is None:
        return
    if not isinstance(code, list) or not all(isinstance(c, dict) and {"path", "sha256"} <= set(c) for c in code):
        raise ConfigError("code", "expected a list of {path, sha256}")
    for entry in code:
        load_file(entry["path"], expect_sha256=entry["sha256"])


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
