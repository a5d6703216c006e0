"""SimCLR with another crop policy, written as a `views` override: one large ("global") crop
and one small ("local") crop of each image instead of two crops of the same area range, the
asymmetry multi-crop methods use (SwAV, DINO), here with SimCLR's two views and loss unchanged.

    papernotes idea add simclr "a global and a local crop" --repro simclr --profile demo \\
        --kind augmentation --set method=simclr_crops --expect "eval/linear_top1 >= +1"
    papernotes idea run simclr 1 --seeds 3 --device cpu

Options (`simclr_crops:`; the profile's `simclr:` section applies too): global_min, local_max.
The colour distortion, blur and solarisation are SimCLR's own (`aug:`), per view.
"""

from dataclasses import dataclass

from papernotes.ssl.config import ConfigError
from papernotes.ssl.methods import SimCLR, register_method
from papernotes.ssl.views.augment import one_view


@dataclass(frozen=True)
class Options(SimCLR.Options):
    global_min: float = 0.5  # view 0: a crop of U[global_min, 1] of the image's area
    local_max: float = 0.5  # view 1: a crop of U[aug.crop_min_area, local_max]

    def check(self, cfg) -> None:
        super().check(cfg)
        if not cfg.aug.crop_min_area <= self.local_max <= 1:
            raise ConfigError("simclr_crops.local_max", f"must be in [aug.crop_min_area, 1], got {self.local_max}")
        if not 0 < self.global_min <= 1:
            raise ConfigError("simclr_crops.global_min", f"must be in (0, 1], got {self.global_min}")


@register_method("simclr_crops", options=Options)
class SimCLRCrops(SimCLR):
    def views(self, images, generator):
        x = images.float().div_(255.0)
        size, aug = self.cfg.data.image_size, self.cfg.aug
        return [one_view(x, aug, size, generator, view=0, scale=(self.options.global_min, 1.0)),
                one_view(x, aug, size, generator, view=1, scale=(aug.crop_min_area, self.options.local_max))]
