"""DINO (Caron et al. 2021), facebookresearch/dino `main_dino.py`: a student (backbone + DINOHead)
sees every crop, its EMA teacher sees the 2 global crops; the loss is the cross-entropy from the
centred, sharpened teacher distribution of each global crop to the student distribution of every
OTHER crop, averaged over those pairs (DINOLoss); the centre is an EMA (0.9) of the teacher's
batch mean over every rank (a buffer).

Backbone-agnostic: the backbone is `build_encoder(cfg.model, ...)`, whatever `model.arch` names (a
ResNet with fc = Identity, or a ViT returning its [CLS] feature), as MultiCropWrapper sets
`backbone.fc, backbone.head = nn.Identity(), nn.Identity()`.

Schedules, per iteration `it` (0-based) as `train_one_epoch`:
- teacher momentum: utils.cosine_scheduler(momentum_teacher, 1, epochs, niter_per_ep)[it];
- teacher temperature: DINOLoss.teacher_temp_schedule[epoch], linear from warmup_teacher_temp to
  teacher_temp over warmup_teacher_temp_epochs (np.linspace, per epoch), then constant;
- around the optimiser step: per-parameter gradient clipping (utils.clip_gradients) then the last
  layer's gradients dropped while epoch < freeze_last_layer (utils.cancel_gradients_last_layer),
  both in `after_backward`; the EMA of the teacher and the centre update in `after_step`.
The official DINOLoss updates the centre inside its forward; here the new centre is computed in
forward and stored after the optimiser step: nothing reads it in between, so the values agree.

`eval_encoder()` is the teacher backbone, as the official evaluations load `teacher`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.config.option_checks import crop_sizes, positive, scale_range, unit
from papernotes.ssl.losses_clustering import dino_center_update
from papernotes.ssl.methods.base import Method, fp32, frozen_copy, momentum_update
from papernotes.ssl.registry import register_method
from papernotes.ssl.views.multicrop import Crop, at_least_f32, forward_by_resolution, multicrop_views

N_GLOBAL = 2  # DataAugmentationDINO: two global crops, the teacher's inputs


def cosine_schedule(it: int, total: int, base: float, final: float, warmup: int = 0,
                    start_warmup: float = 0.0) -> float:
    """Entry `it` of utils.cosine_scheduler(base, final, epochs, niter_per_ep, warmup_epochs,
    start_warmup_value) with total = epochs * niter_per_ep and warmup = warmup_epochs * niter_per_ep:
    np.linspace(start_warmup, base, warmup) then final + (base - final)(1 + cos(pi i / (total - warmup))) / 2."""
    if it < warmup:
        return start_warmup + (base - start_warmup) * (it / (warmup - 1) if warmup > 1 else 0.0)
    i, n = it - warmup, total - warmup
    return final + 0.5 * (base - final) * (1 + math.cos(math.pi * i / n))


def teacher_temp(epoch: int, warmup_temp: float, temp: float, warmup_epochs: int) -> float:
    """DINOLoss.teacher_temp_schedule[epoch]: np.linspace(warmup_temp, temp, warmup_epochs), then
    temp (the linspace ends AT temp: its last warm-up epoch already has the final value)."""
    if epoch >= warmup_epochs:
        return temp
    if warmup_epochs == 1:
        return warmup_temp
    return warmup_temp + (temp - warmup_temp) * epoch / (warmup_epochs - 1)


def dino_multicrop_loss(student: Tensor, teacher: Tensor, center: Tensor, n_crops: int,
                        student_temp: float, teacher_t: float) -> Tensor:
    """DINOLoss.forward without the centre update: student [n_crops*B, K], teacher [2B, K].
    Each softmax is taken once per crop; the value is the mean over pairs (teacher crop iq,
    student crop v != iq) of dino_loss(student_v, teacher_iq, center, ...)."""
    s = F.log_softmax(student / student_temp, dim=-1).chunk(n_crops)
    t = F.softmax((teacher - center) / teacher_t, dim=-1).detach().chunk(N_GLOBAL)
    terms = [torch.sum(-q * s[v], dim=-1).mean() for iq, q in enumerate(t) for v in range(n_crops) if v != iq]
    return sum(terms) / len(terms)


class WeightNormLinear(nn.Module):
    """nn.utils.weight_norm(nn.Linear(in, out, bias=False)) as DINOHead.last_layer, without the
    hook: weight = weight_g * weight_v / ||weight_v|| (row norms), the same parameters, names and
    shapes (weight_g [out, 1], weight_v [out, in]), so it copies and compiles plainly."""

    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        v = nn.Linear(in_dim, out_dim, bias=False).weight.detach()  # nn.Linear's default init
        self.weight_v = nn.Parameter(v.clone())
        self.weight_g = nn.Parameter(torch.ones(out_dim, 1))  # weight_g.data.fill_(1)

    def forward(self, x: Tensor) -> Tensor:
        w = self.weight_v * (self.weight_g / torch.linalg.vector_norm(self.weight_v, dim=1, keepdim=True))
        return F.linear(x, w)


class DINOHead(nn.Module):
    """vision_transformer.py DINOHead: an MLP (Linear -> [BN] -> GELU, nlayers - 1 times, then
    Linear to the bottleneck; trunc-normal std 0.02 weights, zero biases), L2 normalisation,
    then the weight-normed last layer to out_dim (weight_g frozen at 1 if norm_last_layer)."""

    def __init__(self, in_dim: int, out_dim: int, use_bn: bool = False, norm_last_layer: bool = True,
                 nlayers: int = 3, hidden_dim: int = 2048, bottleneck_dim: int = 256) -> None:
        super().__init__()
        nlayers = max(nlayers, 1)
        if nlayers == 1:
            self.mlp = nn.Linear(in_dim, bottleneck_dim)
        else:
            layers: list[nn.Module] = [nn.Linear(in_dim, hidden_dim)]
            if use_bn:
                layers.append(nn.BatchNorm1d(hidden_dim))
            layers.append(nn.GELU())
            for _ in range(nlayers - 2):
                layers.append(nn.Linear(hidden_dim, hidden_dim))
                if use_bn:
                    layers.append(nn.BatchNorm1d(hidden_dim))
                layers.append(nn.GELU())
            layers.append(nn.Linear(hidden_dim, bottleneck_dim))
            self.mlp = nn.Sequential(*layers)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        self.last_layer = WeightNormLinear(bottleneck_dim, out_dim)
        if norm_last_layer:
            self.last_layer.weight_g.requires_grad_(False)

    def forward(self, x: Tensor) -> Tensor:
        x = self.mlp(x)
        x = F.normalize(x, dim=-1, p=2)
        return self.last_layer(x)


@dataclass(frozen=True)
class DINOOptions:
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
            positive(f"dino.{name}", getattr(self, name))
        unit("dino.momentum_teacher", self.momentum_teacher)
        unit("dino.center_momentum", self.center_momentum)
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
            scale_range(f"dino.{name}", *scale)
        if self.local_crops_number:
            crop_sizes("dino.local_crops_size", (cfg.data.image_size, self.local_crops_size), cfg)


@register_method("dino", options=DINOOptions)
class DINO(Method):

    def __init__(self, cfg) -> None:
        super().__init__(cfg)
        mc = self.options
        size = cfg.data.image_size
        self.crops = [Crop(size, tuple(mc.global_crops_scale))] * N_GLOBAL + \
                     [Crop(mc.local_crops_size, tuple(mc.local_crops_scale))] * mc.local_crops_number
        self.head = DINOHead(self.feature_dim, mc.out_dim, mc.use_bn_in_head, mc.norm_last_layer,
                             hidden_dim=mc.hidden_dim, bottleneck_dim=mc.bottleneck_dim)
        # teacher_without_ddp.load_state_dict(student.module.state_dict()); no gradients
        self.teacher_encoder = frozen_copy(self.encoder)
        self.teacher_head = frozen_copy(self.head)
        self.register_buffer("center", torch.zeros(1, mc.out_dim))
        self._center: Tensor | None = None  # this step's new centre, stored in after_step

    def views(self, images: Tensor, generator: torch.Generator | None) -> list[Tensor]:
        return multicrop_views(images, self.cfg.aug, self.crops, generator)

    def epoch_of(self, step: int) -> int:
        return step // self.steps_per_epoch

    def teacher_temp_at(self, step: int) -> float:
        mc = self.options
        return teacher_temp(self.epoch_of(step), mc.warmup_teacher_temp, mc.teacher_temp, mc.warmup_teacher_temp_epochs)

    def momentum_at(self, step: int) -> float:
        return cosine_schedule(step, self.total_steps, self.options.momentum_teacher, 1.0)

    def forward(self, views: list[Tensor], step: int) -> tuple[Tensor, Tensor]:
        mc = self.options
        bs = views[0].shape[0]
        with torch.no_grad():
            teacher_out = self.teacher_head(forward_by_resolution(self.teacher_encoder, views[:N_GLOBAL]))  # [2bs, K]
        h = forward_by_resolution(self.encoder, views)  # h: [V*bs, feature_dim]
        student_out = self.head(h)  # [V*bs, K]
        with fp32(student_out):
            teacher_out = at_least_f32(teacher_out)
            loss = dino_multicrop_loss(at_least_f32(student_out), teacher_out, self.center, len(views),
                                       mc.student_temp, self.teacher_temp_at(step))
            self._center = dino_center_update(self.center, teacher_out, mc.center_momentum, gather=True)
        return loss, h[: N_GLOBAL * bs]  # the probe learns from the global crops

    def after_backward(self, step: int) -> None:
        mc = self.options
        if mc.clip_grad:
            for module in (self.encoder, self.head):
                for p in module.parameters():
                    if p.grad is not None:  # utils.clip_gradients, without the host sync
                        coef = mc.clip_grad / (torch.linalg.vector_norm(p.grad) + 1e-6)
                        p.grad.mul_(coef.clamp(max=1.0))
        if self.epoch_of(step) < mc.freeze_last_layer:
            for p in self.head.last_layer.parameters():
                p.grad = None

    @torch.no_grad()
    def after_step(self, step: int) -> None:
        m = self.momentum_at(step)
        momentum_update(self.encoder, self.teacher_encoder, m)
        momentum_update(self.head, self.teacher_head, m)
        center, self._center = self._center, None
        if center is not None:
            self.center.copy_(center)

    def eval_encoder(self) -> nn.Module:
        return self.teacher_encoder
