"""The SimCLR view distribution (paper Sec. 3 and Appendix A; google-research/simclr
data_util.py `preprocess_for_train` + `batch_random_blur`), batched on the images' device with
per-sample random parameters and an optional torch.Generator for reproducibility.

Per view, in the official order: random resized crop (area U[0.08, 1], log-uniform aspect in
[3/4, 4/3], bicubic resize) -> horizontal flip p 0.5 -> colour jitter with p 0.8 (brightness,
contrast, saturation 0.8 s, hue 0.2 s, the four in a random order per sample, clipped after each)
-> greyscale p 0.2 -> Gaussian blur p 0.5, sigma U[0.1, 2.0], kernel 10% of the side (only when
cfg.blur: ImageNet-size, paper Appendix B.9 leaves it out for CIFAR).

The same pipeline serves the other two-view methods through per-view settings: explicit jitter
strengths (BYOL/Barlow Twins: 0.4, 0.4, 0.2, 0.1), blur probability per view and solarisation
per view (byol/utils/augmentations.py: blur 1.0 / 0.1, solarise 0.0 / 0.2), applied last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from papernotes.ssl.views import image_ops
from papernotes.ssl.views.cropped import Cropped

BRIGHTNESS, CONTRAST, SATURATION, HUE = range(4)
CROP_ATTEMPTS = 10  # torchvision RandomResizedCrop: 10 tries, then a centre crop


def _rand(shape, generator: torch.Generator | None, device) -> torch.Tensor:
    """U[0, 1) drawn on the generator's device (a CPU generator drives CUDA data too)."""
    gen_device = generator.device if generator is not None else device
    return torch.rand(shape, generator=generator, device=gen_device).to(device)


def _uniform(shape, lo: float, hi: float, generator, device) -> torch.Tensor:
    return lo + (hi - lo) * _rand(shape, generator, device)


def sample_crop_params(n: int, height: int, width: int, min_area: float = 0.08,
                       ratio: tuple[float, float] = (3 / 4, 4 / 3),
                       generator: torch.Generator | None = None, device="cpu",
                       max_area: float = 1.0) -> torch.Tensor:
    """Boxes [n, 4] = (x0, y0, w, h), whole pixels, float.

    Area fraction U[min_area, max_area], aspect w/h log-uniform in `ratio` (data_util.py crop_and_resize:
    area_range (0.08, 1), aspect_ratio_range (3/4, 4/3)). All attempts are drawn at once; each
    sample keeps its first box that fits, else the centre crop with the aspect clamped into the
    range (torchvision's fallback; the official TF op returns the whole image instead).
    """
    area = _uniform((n, CROP_ATTEMPTS), min_area, max_area, generator, device) * (height * width)
    log_r = _uniform((n, CROP_ATTEMPTS), math.log(ratio[0]), math.log(ratio[1]), generator, device)
    aspect = torch.exp(log_r)
    w = torch.round(torch.sqrt(area * aspect))  # w, h: [n, attempts]
    h = torch.round(torch.sqrt(area / aspect))
    fits = (w >= 1) & (w <= width) & (h >= 1) & (h <= height)
    first = fits.to(torch.uint8).argmax(dim=1, keepdim=True)  # first fitting attempt: [n, 1]
    any_fit = fits.any(dim=1)
    w, h = w.gather(1, first).squeeze(1), h.gather(1, first).squeeze(1)  # [n]
    in_ratio = width / height
    if in_ratio < ratio[0]:
        fw, fh = width, round(width / ratio[0])
    elif in_ratio > ratio[1]:
        fw, fh = round(height * ratio[1]), height
    else:
        fw, fh = width, height
    w = torch.where(any_fit, w, torch.full_like(w, fw))
    h = torch.where(any_fit, h, torch.full_like(h, fh))
    u = _rand((n, 2), generator, device)
    x0 = torch.floor(u[:, 0] * (width - w + 1))  # offsets uniform over the valid positions
    y0 = torch.floor(u[:, 1] * (height - h + 1))
    centre = ~any_fit
    x0 = torch.where(centre, torch.floor((width - w) / 2), x0)
    y0 = torch.where(centre, torch.floor((height - h) / 2), y0)
    return torch.stack([x0, y0, w, h], dim=1)


def sample_flip(n: int, generator=None, device="cpu", p: float = 0.5) -> torch.Tensor:
    return _rand((n,), generator, device) < p  # [n] bool


def flip_only(x: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    """Horizontal flip where flip ([n]) is set: the crop of a view that arrived cropped."""
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(-1), x)


def crop_flip_view(x: torch.Tensor, out_size: int, min_area: float, generator=None,
                   cropped: bool = False) -> torch.Tensor:
    """Random resized crop (area U[min_area, 1], bicubic) and horizontal flip only, no colour:
    MAE main_pretrain.py's `RandomResizedCrop(scale=(0.2, 1.0), interpolation=3)` +
    `RandomHorizontalFlip()`, also the fine-tuning and RotNet views. x: float [N, 3, H, W].
    `cropped`: x is already the crop (streamed from an image folder): the flip only."""
    n, _, h, w = x.shape
    if cropped:
        return flip_only(x, sample_flip(n, generator, x.device))
    boxes = sample_crop_params(n, h, w, min_area, generator=generator, device=x.device)
    return image_ops.crop_resize_flip(x, boxes, sample_flip(n, generator, x.device), out_size)


@dataclass(frozen=True)
class ColorParams:
    apply: torch.Tensor  # [n] bool: jitter applied (p 0.8)
    factors: torch.Tensor  # [n, 4]: brightness, contrast, saturation factors, hue delta
    order: torch.Tensor  # [n, 4] long: a permutation of the four ops per sample
    gray: torch.Tensor  # [n] bool: greyscale (p 0.2)


def jitter_strengths(cfg) -> tuple[float, float, float, float]:
    """(brightness, contrast, saturation, hue) of an AugConfig: explicit values where given, else
    data_util.py color_jitter's 0.8 s, 0.8 s, 0.8 s, 0.2 s from colour strength s."""
    s = cfg.color_strength
    pick = [cfg.brightness, cfg.contrast, cfg.saturation, cfg.hue]
    default = [0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s]
    b, c, sat, hue = (d if v is None else v for v, d in zip(pick, default))
    return b, c, sat, hue


def sample_color_params(n: int, strengths: tuple[float, float, float, float], generator=None,
                        device="cpu", p_jitter: float = 0.8, p_gray: float = 0.2) -> ColorParams:
    """data_util.py color_jitter with (b, c, s, hue) = `strengths`: brightness factor
    U[max(0, 1-b), 1+b] (impl 'simclrv2'), contrast U[1-c, 1+c], saturation U[1-s, 1+s], hue
    delta U[-h, h]; the order is tf.random_shuffle(range(4)) per image (color_jitter_rand)."""
    b, c, s, hue = strengths
    u = _rand((n, 4), generator, device)
    bounds = [(max(0.0, 1 - b), 1 + b), (1 - c, 1 + c), (1 - s, 1 + s), (-hue, hue)]
    # Python-float bounds: no small host-to-device copies on the GPU path
    factors = torch.stack([lo + (hi - lo) * u[:, i] for i, (lo, hi) in enumerate(bounds)], dim=1)
    order = _rand((n, 4), generator, device).argsort(dim=1)  # uniform random permutation
    apply = _rand((n,), generator, device) < p_jitter
    gray = _rand((n,), generator, device) < p_gray
    return ColorParams(apply, factors, order, gray)


def sample_blur_params(n: int, generator=None, device="cpu", p: float = 0.5):
    """data_util.py batch_random_blur: applied with p 0.5, sigma U[0.1, 2.0]. -> ([n], [n])."""
    sigma = _uniform((n,), 0.1, 2.0, generator, device)
    return _rand((n,), generator, device) < p, sigma


def blur_kernel_size(side: int) -> int:
    """data_util.py random_blur: kernel_size = height // 10, radius = k // 2, size 2r + 1."""
    return 2 * ((side // 10) // 2) + 1


def _blend_steps(x: torch.Tensor, params: ColorParams, active: torch.Tensor) -> torch.Tensor:
    """Steps k = 0..3: each sample blends with its op order[:, k] where active[:, k] is set.

    Brightness, contrast and saturation are all f * x + (1 - f) * base (base: black, the grey
    mean, the grey image), so one blend per step serves the three; inactive samples get f = 1,
    which is exactly the identity (1 * x + 0 * base).
    """
    for k in range(4):
        op = params.order[:, k]  # op: [n]
        gray = image_ops.grayscale(x)  # gray: [n, 1, H, W]
        sel = op.view(-1, 1, 1, 1)
        base = torch.where(sel == BRIGHTNESS, torch.zeros_like(gray),
                           torch.where(sel == CONTRAST, gray.mean(dim=(1, 2, 3), keepdim=True), gray))
        f = params.factors.to(x.dtype).gather(1, op.view(-1, 1)).squeeze(1)  # f: [n]
        x = image_ops.blend(x, base, torch.where(active[:, k], f, torch.ones_like(f)))
    return x


def color_jitter(x: torch.Tensor, params: ColorParams) -> torch.Tensor:
    """The four ops in each sample's own order, clipped after each (color_jitter_rand).

    Exactly one step per sample is the hue rotation, so the sequence splits into the blends
    before it, ONE batched hue rotation, and the blends after it: the HSV round trip runs once
    per batch instead of once per step. Samples without jitter keep their input.
    """
    steps = torch.arange(4, device=x.device).view(1, 4)
    hue_step = (params.order == HUE).to(torch.long).argmax(dim=1, keepdim=True)  # [n, 1]
    out = _blend_steps(x, params, steps < hue_step)
    out = image_ops.adjust_hue(out, params.factors[:, HUE].to(x.dtype))
    out = _blend_steps(out, params, steps > hue_step)
    return torch.where(params.apply.view(-1, 1, 1, 1), out, x)


def apply_grayscale(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """data_util.py to_grayscale(keep_channels=True) where mask ([n]) is set."""
    return torch.where(mask.view(-1, 1, 1, 1), image_ops.grayscale(x).expand_as(x), x)


def to_float(images: torch.Tensor, size: int | None = None) -> torch.Tensor:
    """Un-augmented input: uint8 [N, 3, H, W] -> float [0, 1], bicubic-resized to `size`."""
    x = images.float().div_(255.0)
    if size is not None and (x.shape[-2] != size or x.shape[-1] != size):
        x = F.interpolate(x, size=(size, size), mode="bicubic", align_corners=False,
                          antialias=True).clamp_(0.0, 1.0)
    return x


def per_view(probs: tuple[float, ...], view: int, default: float) -> float:
    """Entry `view` of a per-view setting (the last entry repeats; empty: `default`)."""
    if not probs:
        return default
    return probs[min(view, len(probs) - 1)]


def one_view(x: torch.Tensor, cfg, out_size: int, generator=None, view: int = 0,
             scale: tuple[float, float] | None = None, cropped: bool = False) -> torch.Tensor:
    """x: float [N, 3, H, W] in [0, 1] -> augmented view number `view`: [N, 3, out, out].

    `scale`: the crop's area range, (cfg.crop_min_area, 1) unless given (multi-crop).
    `cropped`: x is already this view's crop at [out, out] (`views/cropped.py`): no crop drawn."""
    n, _, h, w = x.shape
    dev = x.device
    if cropped:
        v = flip_only(x, sample_flip(n, generator, dev))
    else:
        lo = cfg.crop_min_area if scale is None else scale[0]
        boxes = sample_crop_params(n, h, w, lo, generator=generator, device=dev,
                                   max_area=1.0 if scale is None else scale[1])
        flip = sample_flip(n, generator, dev)
        v = image_ops.crop_resize_flip(x, boxes, flip, out_size)  # v: [N, 3, out, out]
    col = sample_color_params(n, jitter_strengths(cfg), generator, dev)
    v = apply_grayscale(color_jitter(v, col), col.gray)
    p_blur = per_view(cfg.blur_prob, view, 0.5 if cfg.blur else 0.0)
    if p_blur > 0:
        use, sigma = sample_blur_params(n, generator, dev, p=p_blur)
        blurred = image_ops.gaussian_blur(v, sigma, blur_kernel_size(out_size))
        v = torch.where(use.view(-1, 1, 1, 1), blurred, v).clamp_(0.0, 1.0)
    p_sol = per_view(cfg.solarize_prob, view, 0.0)
    if p_sol > 0:
        use = _rand((n,), generator, dev) < p_sol
        v = torch.where(use.view(-1, 1, 1, 1), image_ops.solarize(v), v)
    return v


def two_views(images: torch.Tensor, cfg, out_size: int,
              generator: torch.Generator | None = None) -> list[torch.Tensor]:
    """Views 0 and 1 of every image: uint8 [N, 3, H, W] -> 2 x float [N, 3, out, out] (or the
    two crops of a `Cropped` batch, streamed)."""
    if isinstance(images, Cropped):
        return [one_view(images.as_float(i), cfg, out_size, generator, view=i, cropped=True) for i in range(2)]
    x = images.float().div_(255.0)  # x: [N, 3, H, W]
    return [one_view(x, cfg, out_size, generator, view=0), one_view(x, cfg, out_size, generator, view=1)]
