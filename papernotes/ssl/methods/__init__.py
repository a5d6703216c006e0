"""The registry of methods: `METHODS[name]` is the nn.Module class of a method (see base.py for
the seam). Its typed options are `papernotes.ssl.config.methods.METHOD_CONFIGS[name]`."""

from __future__ import annotations

from papernotes.ssl.methods.barlowtwins import BarlowTwins
from papernotes.ssl.methods.base import Method
from papernotes.ssl.methods.byol import BYOL
from papernotes.ssl.methods.dino import DINO
from papernotes.ssl.methods.mae import MAE
from papernotes.ssl.methods.mocov2 import MoCoV2
from papernotes.ssl.methods.rotnet import RotNet
from papernotes.ssl.methods.simclr import SimCLR
from papernotes.ssl.methods.swav import SwAV

METHODS: dict[str, type[Method]] = {
    m.name: m for m in (SimCLR, MoCoV2, BYOL, BarlowTwins, SwAV, DINO, MAE, RotNet)}


def build_method(cfg) -> Method:
    """The method of `cfg.method`, built with torch's current RNG state (seed it first)."""
    return METHODS[cfg.method](cfg)
