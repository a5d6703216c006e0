"""The typed section of each method: one frozen dataclass of plain values per method, torch-free.

A config names its method (`method: byol`) and may carry that method's section under the same
name (`byol: {base_momentum: 0.99}`); every other method's section is refused. The classes live
here, apart from the method modules (`papernotes/ssl/methods/`), so that specs and `--set`
overrides validate without importing torch. `METHOD_CONFIGS` is the registry of sections; the
registry of implementations, `papernotes.ssl.methods.METHODS`, has the same keys.

`check(cfg)` on a section holds the checks that need the rest of the config (a queue longer than
the data set, crops that do not fit the image); it raises `ConfigError` with the dotted field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from papernotes.ssl.config_error import ConfigError

# Images per training split of the data sets whose size is fixed (synthetic: data.num_train).
KNOWN_TRAIN_SIZES = {"cifar10": 50_000, "cifar100": 50_000, "stl10": 105_000}


def train_size(cfg: Any) -> int | None:
    """Images the sampler draws from, when the config alone says it (None: read from disk)."""
    if cfg.data.name == "synthetic":
        return cfg.data.num_train
    return KNOWN_TRAIN_SIZES.get(cfg.data.name)


@dataclass(frozen=True)
class SimCLRConfig:
    """google-research/simclr run.py flags."""
    temperature: float = 0.5  # --temperature (0.5 CIFAR-10, 0.1 ImageNet)

    def check(self, cfg: Any) -> None:
        _positive("simclr.temperature", self.temperature)


@dataclass(frozen=True)
class MoCoV2Config:
    """facebookresearch/moco main_moco.py flags with --mlp --aug-plus --cos."""
    temperature: float = 0.2  # --moco-t 0.2 (v2)
    queue_size: int = 65536  # --moco-k
    momentum: float = 0.999  # --moco-m (key encoder EMA)
    mlp_hidden: int | None = None  # --mlp hidden width; None: the encoder's feature dim (2048 for R-50), as builder.py
    shuffle_bn: bool = True  # builder.py _batch_shuffle_ddp for the key encoder under DDP

    def check(self, cfg: Any) -> None:
        _positive("mocov2.temperature", self.temperature)
        _positive("mocov2.queue_size", self.queue_size)
        if self.mlp_hidden is not None:
            _positive("mocov2.mlp_hidden", self.mlp_hidden)
        _unit("mocov2.momentum", self.momentum)
        n = train_size(cfg)
        if n is not None and self.queue_size > n:
            raise ConfigError("mocov2.queue_size", f"a queue of {self.queue_size} keys is longer than the "
                                                   f"data set ({n} images): it would hold stale copies")
        if self.queue_size % cfg.train.batch_size:
            raise ConfigError("mocov2.queue_size", f"must be a multiple of train.batch_size "
                                                   f"({cfg.train.batch_size}), as builder.py asserts")


@dataclass(frozen=True)
class BYOLConfig:
    """deepmind-research byol/configs/byol.py."""
    base_momentum: float = 0.996  # base_target_ema; cosine-scheduled to 1 over training
    proj_hidden: int = 4096  # projector MLP hidden size
    proj_dim: int = 256  # projector output size
    pred_hidden: int = 4096  # predictor MLP hidden size

    def check(self, cfg: Any) -> None:
        _unit("byol.base_momentum", self.base_momentum)
        for name in ("proj_hidden", "proj_dim", "pred_hidden"):
            _positive(f"byol.{name}", getattr(self, name))


@dataclass(frozen=True)
class BarlowTwinsConfig:
    """facebookresearch/barlowtwins main.py flags."""
    lambd: float = 0.0051  # --lambd: weight of the off-diagonal term
    projector: str = "8192-8192-8192"  # --projector: widths of the MLP after the 2048-d feature
    scale_loss: float = 1.0  # 1/32 in an early version (main.py --scale-loss), 1 in the final code

    def check(self, cfg: Any) -> None:
        _positive("barlowtwins.lambd", self.lambd)
        _positive("barlowtwins.scale_loss", self.scale_loss)
        try:
            widths = [int(w) for w in self.projector.split("-")]
        except ValueError:
            widths = []
        if not widths or min(widths) <= 0:
            raise ConfigError("barlowtwins.projector", f"expected widths like '8192-8192-8192', "
                                                       f"got {self.projector!r}")


@dataclass(frozen=True)
class MAEConfig:
    """facebookresearch/mae main_pretrain.py flags and models_mae.py's decoder (ViT encoders only)."""
    mask_ratio: float = 0.75  # --mask_ratio
    decoder_embed_dim: int = 512  # mae_vit_*_dec512d8b
    decoder_depth: int = 8
    decoder_num_heads: int = 16
    norm_pix_loss: bool = True  # --norm_pix_loss (PRETRAIN.md; the flag's default is off)

    def check(self, cfg: Any) -> None:
        if not cfg.model.arch.startswith("vit"):
            raise ConfigError("model.arch", f"MAE needs a ViT encoder (vit_tiny, vit_small, vit_base), "
                                            f"got {cfg.model.arch!r}: it masks patch tokens")
        if not 0 < self.mask_ratio < 1:
            raise ConfigError("mae.mask_ratio", f"must be in (0, 1), got {self.mask_ratio}")
        for name in ("decoder_embed_dim", "decoder_depth", "decoder_num_heads"):
            _positive(f"mae.{name}", getattr(self, name))
        if self.decoder_embed_dim % self.decoder_num_heads or self.decoder_embed_dim % 4:
            raise ConfigError("mae.decoder_embed_dim", f"must be a multiple of 4 (sin-cos position embedding) and of "
                                                       f"mae.decoder_num_heads ({self.decoder_num_heads}), "
                                                       f"got {self.decoder_embed_dim}")
        patches = (cfg.data.image_size // cfg.model.patch_size) ** 2
        if int(patches * (1 - self.mask_ratio)) < 1:
            raise ConfigError("mae.mask_ratio", f"keeps no patch of {patches}")


@dataclass(frozen=True)
class RotNetConfig:
    """gidariss/FeatureLearningRotNet: the rotation classifier and the crop before rotating."""
    head_hidden: tuple[int, ...] = ()  # (): NIN's Linear on pooled features; AlexNet: (4096, 4096)
    pad_crop: int = 0  # > 0: RandomCrop(size, padding=pad_crop) (CIFAR loader: 4); 0: resized crop

    def check(self, cfg: Any) -> None:
        for i, width in enumerate(self.head_hidden):
            _positive(f"rotnet.head_hidden[{i}]", width)
        if self.pad_crop < 0:
            raise ConfigError("rotnet.pad_crop", f"must be >= 0, got {self.pad_crop}")


def _positive(path: str, value: float) -> None:
    if value <= 0:
        raise ConfigError(path, f"must be positive, got {value}")


def _unit(path: str, value: float) -> None:
    if not 0 <= value < 1:
        raise ConfigError(path, f"must be in [0, 1), got {value}")


METHOD_CONFIGS: dict[str, type] = {
    "simclr": SimCLRConfig,
    "mocov2": MoCoV2Config,
    "byol": BYOLConfig,
    "barlowtwins": BarlowTwinsConfig,
    "mae": MAEConfig,
    "rotnet": RotNetConfig,
}
