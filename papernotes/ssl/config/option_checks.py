"""The checks methods' options share (torch-free): ranges, crop sizes, the size of the data set.

Each raises `ConfigError` naming the dotted field; a method's `Options.check(cfg)` (in its own
file under `papernotes/ssl/methods/`) calls them with its section's name.
"""

from __future__ import annotations

from typing import Any

from papernotes.ssl.config.errors import ConfigError

# Images per training split of the data sets whose size is fixed (synthetic: data.num_train).
KNOWN_TRAIN_SIZES = {"cifar10": 50_000, "cifar100": 50_000, "stl10": 105_000}


def train_size(cfg: Any) -> int | None:
    """Images the sampler draws from, when the config alone says it (None: read from disk)."""
    if cfg.data.name == "synthetic":
        return cfg.data.num_train
    return KNOWN_TRAIN_SIZES.get(cfg.data.name)


def crop_sizes(path: str, sizes: tuple[int, ...], cfg) -> None:
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


def scale_range(path: str, lo: float, hi: float) -> None:
    if not 0 < lo <= hi <= 1:
        raise ConfigError(path, f"need 0 < min_scale <= max_scale <= 1, got ({lo}, {hi})")


def positive(path: str, value: float) -> None:
    if value <= 0:
        raise ConfigError(path, f"must be positive, got {value}")


def unit(path: str, value: float) -> None:
    if not 0 <= value < 1:
        raise ConfigError(path, f"must be in [0, 1), got {value}")
