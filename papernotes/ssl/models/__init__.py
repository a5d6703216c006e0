"""Networks: the encoders (ResNets in `encoders.py`, ViTs in `vit.py`) and the MLP heads of the
two-view methods (`heads.py`). `@register_backbone("name")` makes a function
`(model_cfg, image_size) -> (nn.Module, feature_dim)` a `model.arch` (papernotes/ssl/registry.py);
importing this package registers the built-in ones."""

from papernotes.ssl.models import encoders, vit  # noqa: F401  (they register their backbones)
from papernotes.ssl.registry import backbones, register_backbone

__all__ = ["backbones", "register_backbone"]
