"""The methods, and the public API to write one: `Method` (the seam, base.py),
`register_method` (the registry, papernotes/ssl/registry.py) and the eight built-in classes to
subclass. Every file of this package is imported here, so a built-in method is one file: its
options dataclass and its class under `@register_method`.

    from papernotes.ssl.methods import SimCLR, register_method

    @register_method("simclr_uniform")          # options=None: SimCLR's Options
    class SimCLRUniform(SimCLR):
        def views(self, images, generator): ...
"""

from __future__ import annotations

import importlib
import pkgutil

from papernotes.ssl.methods.barlowtwins import BarlowTwins
from papernotes.ssl.methods.base import Method
from papernotes.ssl.methods.byol import BYOL
from papernotes.ssl.methods.dino import DINO
from papernotes.ssl.methods.mae import MAE
from papernotes.ssl.methods.mocov2 import MoCoV2
from papernotes.ssl.methods.rotnet import RotNet
from papernotes.ssl.methods.simclr import SimCLR
from papernotes.ssl.methods.swav import SwAV
from papernotes.ssl.registry import method_class, methods, register_method

for _info in pkgutil.iter_modules(__path__):  # a built-in method added as one more file
    importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["BYOL", "DINO", "MAE", "BarlowTwins", "Method", "MoCoV2", "RotNet", "SimCLR", "SwAV",
           "build_method", "methods", "register_method"]


def build_method(cfg) -> Method:
    """The method of `cfg.method`, built with torch's current RNG state (seed it first)."""
    cls = method_class(cfg.method)
    if cls is None:
        raise KeyError(cfg.method)
    return cls(cfg)
