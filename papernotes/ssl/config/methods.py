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

from papernotes.ssl.config.errors import ConfigError

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
    # colab/moco_cifar10_demo.ipynb --bn-splits: BN statistics per 1/bn_splits of a process's batch
    # (8 simulates 8 GPUs on one) and, with shuffle_bn, the key batch shuffled across the splits
    bn_splits: int = 1

    def check(self, cfg: Any) -> None:
        _positive("mocov2.temperature", self.temperature)
        _positive("mocov2.queue_size", self.queue_size)
        _positive("mocov2.bn_splits", self.bn_splits)
        if cfg.train.batch_size % self.bn_splits:
            raise ConfigError("mocov2.bn_splits", f"must divide train.batch_size ({cfg.train.batch_size})")
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
class SwAVConfig:
    """facebookresearch/swav main_swav.py flags; crop defaults from scripts/swav_800ep_pretrain.sh
    (main_swav.py's own argparse defaults are a single 224 crop). Crop i of group g has side
    size_crops[g] and an area fraction in [min_scale_crops[g], max_scale_crops[g]]."""
    nmb_crops: tuple[int, ...] = (2, 6)  # --nmb_crops 2 6
    size_crops: tuple[int, ...] = (224, 96)  # --size_crops 224 96
    min_scale_crops: tuple[float, ...] = (0.14, 0.05)  # --min_scale_crops 0.14 0.05
    max_scale_crops: tuple[float, ...] = (1.0, 0.14)  # --max_scale_crops 1. 0.14
    crops_for_assign: tuple[int, ...] = (0, 1)  # --crops_for_assign 0 1: crops whose codes are predicted
    temperature: float = 0.1  # --temperature
    epsilon: float = 0.05  # --epsilon (Sinkhorn-Knopp regularisation)
    sinkhorn_iterations: int = 3  # --sinkhorn_iterations
    feat_dim: int = 128  # --feat_dim: projection output
    nmb_prototypes: int = 3000  # --nmb_prototypes
    hidden_mlp: int = 2048  # --hidden_mlp: projection head hidden width
    queue_length: int = 0  # --queue_length (global, all ranks); 0: no queue
    epoch_queue_starts: int = 15  # --epoch_queue_starts
    freeze_prototypes_niters: int = 313  # --freeze_prototypes_niters (iterations, not epochs)

    def check(self, cfg: Any) -> None:
        groups = len(self.nmb_crops)
        for name in ("size_crops", "min_scale_crops", "max_scale_crops"):
            if len(getattr(self, name)) != groups:
                raise ConfigError(f"swav.{name}", f"one entry per crop group: nmb_crops has {groups}, "
                                                  f"{name} has {len(getattr(self, name))}")
        if groups == 0 or min(self.nmb_crops) < 1:
            raise ConfigError("swav.nmb_crops", f"each group needs at least one crop, got {list(self.nmb_crops)}")
        if sum(self.nmb_crops) < 2:
            raise ConfigError("swav.nmb_crops", "swapped prediction needs at least 2 crops")
        _crop_sizes("swav.size_crops", self.size_crops, cfg)
        for g in range(groups):
            _scale_range(f"swav.min_scale_crops[{g}]", self.min_scale_crops[g], self.max_scale_crops[g])
        total = sum(self.nmb_crops)
        if not self.crops_for_assign or len(set(self.crops_for_assign)) != len(self.crops_for_assign) \
                or not all(0 <= c < total for c in self.crops_for_assign):
            raise ConfigError("swav.crops_for_assign", f"distinct crop indices in [0, {total}), "
                                                       f"got {list(self.crops_for_assign)}")
        for name in ("temperature", "epsilon", "sinkhorn_iterations", "feat_dim", "nmb_prototypes", "hidden_mlp"):
            _positive(f"swav.{name}", getattr(self, name))
        for name in ("queue_length", "epoch_queue_starts", "freeze_prototypes_niters"):
            if getattr(self, name) < 0:
                raise ConfigError(f"swav.{name}", f"must be >= 0, got {getattr(self, name)}")
        if self.queue_length % cfg.train.batch_size:
            # main_swav.py silently rounds down to a multiple of batch_size * world_size
            raise ConfigError("swav.queue_length", f"must be a multiple of train.batch_size "
                                                   f"({cfg.train.batch_size}), the global batch")
        n = train_size(cfg)
        if n is not None and self.queue_length > n:
            raise ConfigError("swav.queue_length", f"a queue of {self.queue_length} features is longer "
                                                   f"than the data set ({n} images)")


@dataclass(frozen=True)
class DINOConfig:
    """facebookresearch/dino main_dino.py flags (DINOHead, DINOLoss and DataAugmentationDINO
    defaults where there is no flag). The global crops' side is data.image_size (224 in the
    official code)."""
    out_dim: int = 65536  # --out_dim
    hidden_dim: int = 2048  # DINOHead hidden_dim
    bottleneck_dim: int = 256  # DINOHead bottleneck_dim
    use_bn_in_head: bool = False  # --use_bn_in_head
    norm_last_layer: bool = True  # --norm_last_layer: weight_g of the last layer frozen at 1
    momentum_teacher: float = 0.996  # --momentum_teacher, cosine-scheduled to 1
    warmup_teacher_temp: float = 0.04  # --warmup_teacher_temp
    teacher_temp: float = 0.04  # --teacher_temp
    warmup_teacher_temp_epochs: int = 0  # --warmup_teacher_temp_epochs
    student_temp: float = 0.1  # DINOLoss student_temp
    center_momentum: float = 0.9  # DINOLoss center_momentum
    freeze_last_layer: int = 1  # --freeze_last_layer (epochs)
    clip_grad: float = 3.0  # --clip_grad: per-parameter gradient norm cap; 0: off
    global_crops_scale: tuple[float, ...] = (0.4, 1.0)  # --global_crops_scale
    local_crops_number: int = 8  # --local_crops_number
    local_crops_scale: tuple[float, ...] = (0.05, 0.4)  # --local_crops_scale
    local_crops_size: int = 96  # DataAugmentationDINO: RandomResizedCrop(96, ...)

    def check(self, cfg: Any) -> None:
        for name in ("out_dim", "hidden_dim", "bottleneck_dim", "warmup_teacher_temp", "teacher_temp",
                     "student_temp"):
            _positive(f"dino.{name}", getattr(self, name))
        _unit("dino.momentum_teacher", self.momentum_teacher)
        _unit("dino.center_momentum", self.center_momentum)
        for name in ("warmup_teacher_temp_epochs", "freeze_last_layer", "local_crops_number"):
            if getattr(self, name) < 0:
                raise ConfigError(f"dino.{name}", f"must be >= 0, got {getattr(self, name)}")
        if self.clip_grad < 0:
            raise ConfigError("dino.clip_grad", f"must be >= 0 (0: no clipping), got {self.clip_grad}")
        if self.warmup_teacher_temp_epochs > cfg.train.epochs:
            # main_dino.py: np.ones(nepochs - warmup_teacher_temp_epochs) fails
            raise ConfigError("dino.warmup_teacher_temp_epochs", f"longer than training "
                                                                 f"(train.epochs {cfg.train.epochs})")
        for name in ("global_crops_scale", "local_crops_scale"):
            scale = getattr(self, name)
            if len(scale) != 2:
                raise ConfigError(f"dino.{name}", f"expected [min, max], got {list(scale)}")
            _scale_range(f"dino.{name}", *scale)
        if self.local_crops_number:
            _crop_sizes("dino.local_crops_size", (cfg.data.image_size, self.local_crops_size), cfg)


def _crop_sizes(path: str, sizes: tuple[int, ...], cfg) -> None:
    """Crop sides: positive, none above data.image_size, no later (local) crop larger than an
    earlier (global) one (the first crops are the large ones: codes, teacher, as officially), and
    for a ViT a whole number of patches."""
    image_size = cfg.data.image_size
    patch = cfg.model.patch_size if cfg.model.arch.startswith("vit") else None
    for i, s in enumerate(sizes):
        if patch and s % patch:
            raise ConfigError(path, f"a crop of {s} px is not a whole number of {patch} px patches "
                                    f"(model.patch_size)")
        if s < 8:
            raise ConfigError(path, f"a crop of {s} px is too small for the encoder (>= 8)")
        if s > image_size:
            raise ConfigError(path, f"a crop of {s} px is larger than data.image_size ({image_size})")
        if i and s > sizes[i - 1]:
            raise ConfigError(path, f"a local crop ({s} px) larger than the global one ({sizes[i - 1]} px)")


def _scale_range(path: str, lo: float, hi: float) -> None:
    if not 0 < lo <= hi <= 1:
        raise ConfigError(path, f"need 0 < min_scale <= max_scale <= 1, got ({lo}, {hi})")


@dataclass(frozen=True)
class MAEConfig:
    """facebookresearch/mae main_pretrain.py flags and models_mae.py's decoder (ViT encoders only)."""
    mask_ratio: float = 0.75  # --mask_ratio
    decoder_embed_dim: int = 512  # mae_vit_*_dec512d8b
    decoder_depth: int = 8
    decoder_num_heads: int = 16
    norm_pix_loss: bool = True  # --norm_pix_loss (PRETRAIN.md; the flag's default is off)

    def check_encoder(self, cfg: Any) -> None:
        """Run before the model's own checks, so a ResNet is refused as MAE's problem."""
        if not cfg.model.arch.startswith("vit"):
            raise ConfigError("model.arch", f"MAE needs a ViT encoder (vit_tiny, vit_small, vit_base), "
                                            f"got {cfg.model.arch!r}: it masks patch tokens")

    def check(self, cfg: Any) -> None:
        self.check_encoder(cfg)
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
    "swav": SwAVConfig,
    "dino": DINOConfig,
    "mae": MAEConfig,
    "rotnet": RotNetConfig,
}
