"""Views whose crops were already cut (the streaming image-folder path, `data/stream.py`): one
uint8 [n, 3, s_i, s_i] per crop of the method's `crop_plan()`, each from the full-resolution
image. The method's `views` then applies everything after the crop (flip, colour, blur,
solarisation) on the device, as it does to crops it cuts itself from in-memory tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor


@dataclass(frozen=True)
class Cropped:
    crops: tuple[Tensor, ...]  # uint8 [n, 3, s_i, s_i], in crop-plan order

    def __len__(self) -> int:
        return int(self.crops[0].shape[0])

    def as_float(self, i: int) -> Tensor:
        return self.crops[i].float().div_(255.0)
