"""The clustering/self-distillation losses: SwAV's Sinkhorn codes and swapped prediction, DINO's
cross-entropy to a centred, sharpened teacher and its centre update. Re-exported by losses.py.

Each returns the term of ONE (scores, codes) or (student, teacher) pair; the official loops
over crops (main_swav.py `train`, main_dino.py `DINOLoss.forward`) average such terms.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from papernotes.ssl import distributed


def _at_least_f32(x: torch.Tensor) -> torch.Tensor:
    """float16/bfloat16 promoted to float32 (softmaxes, exps and [D, D] sums want it)."""
    return x.float() if x.dtype in (torch.float16, torch.bfloat16) else x


@torch.no_grad()
def sinkhorn(scores: torch.Tensor, epsilon: float = 0.05, iterations: int = 3,
             gather: bool = False) -> torch.Tensor:
    """SwAV's codes: the equipartitioned soft assignment of the batch to the K prototypes.

    Follows facebookresearch/swav main_swav.py `distributed_sinkhorn`: Q = exp(scores/eps)^T
    ([K, B]), divided by its global sum; then `iterations` times rows (prototypes) scaled to
    sum 1/K -- row sums all-reduced over ranks -- and columns (samples) to 1/B, B the GLOBAL
    batch; finally Q *= B so each sample's code sums to 1. eps 0.05 and 3 iterations are
    main_swav.py's defaults. (With iterations >= 1 the global sum, the /K and the /B are
    constants that the next normalisation cancels: they spell the paper's marginals, the codes
    do not depend on them.) One deviation, exact in arithmetic: the global max score is
    subtracted before exp (a constant factor, cancelled by the first normalisation), so large
    scores / small eps do not overflow float32. No gradient.
    scores: [n, K] this rank's samples against the prototypes; returns this rank's codes [n, K].
    """
    scores = _at_least_f32(scores.detach())  # scores: [n, K]
    active = gather and distributed.is_active()
    world = torch.distributed.get_world_size() if active else 1
    total = distributed.all_reduce_sum if active else (lambda t: t)
    top = distributed.all_reduce_max(scores.max()) if active else scores.max()
    q = torch.exp((scores - top) / epsilon).t()  # q: [K, n]
    k, b = q.shape[0], q.shape[1] * world  # prototypes, global batch
    q /= total(q.sum())
    for _ in range(iterations):
        q /= total(q.sum(dim=1, keepdim=True))  # rows: [K, 1], over the global batch
        q /= k
        q /= q.sum(dim=0, keepdim=True)  # columns: [1, n], each sample is on this rank
        q /= b
    q *= b  # columns sum to 1: an assignment per sample
    return q.t()  # [n, K]


def swav_loss(scores: torch.Tensor, assignments: torch.Tensor,
              temperature: float = 0.1) -> torch.Tensor:
    """SwAV's swapped-prediction term for one view: -mean_b sum_k q_bk log softmax(s_b / T)_k.

    main_swav.py `train`: `subloss -= torch.mean(torch.sum(q * F.log_softmax(x, dim=1), dim=1))`
    with x = scores / temperature (--temperature 0.1) and q the codes of ANOTHER view (from
    `sinkhorn`, no gradient). scores, assignments: [B, K].
    """
    scores = _at_least_f32(scores)  # scores: [B, K]
    codes = assignments.detach().to(scores.dtype)  # codes: [B, K]
    return -(codes * F.log_softmax(scores / temperature, dim=1)).sum(dim=1).mean()


def dino_loss(student: torch.Tensor, teacher: torch.Tensor, center: torch.Tensor,
              student_temp: float = 0.1, teacher_temp: float = 0.04) -> torch.Tensor:
    """DINO's cross-entropy from the centred, sharpened teacher to the student, one pair.

    Follows facebookresearch/dino main_dino.py `DINOLoss.forward`: teacher probabilities
    softmax((teacher - center) / teacher_temp), detached; the term is the batch mean of
    sum(-t * log_softmax(student / student_temp)). 0.1 and 0.04 are the defaults there (the
    teacher temperature is warmed up from --warmup_teacher_temp by a schedule the caller owns).
    student, teacher: [B, K]; center: [1, K] or [K].
    """
    student = _at_least_f32(student)  # student: [B, K]
    teacher = _at_least_f32(teacher.detach()).to(student.dtype)  # teacher: [B, K]
    t = F.softmax((teacher - center.to(student.dtype)) / teacher_temp, dim=-1)  # t: [B, K]
    return torch.sum(-t * F.log_softmax(student / student_temp, dim=-1), dim=-1).mean()


@torch.no_grad()
def dino_center_update(center: torch.Tensor, teacher_out: torch.Tensor, momentum: float = 0.9,
                       gather: bool = False) -> torch.Tensor:
    """DINO's centre EMA: center * m + (1 - m) * mean of the teacher outputs of the GLOBAL batch.

    main_dino.py `DINOLoss.update_center`: sum over rows, all_reduce, divided by
    len(teacher_output) * world_size; --center_momentum 0.9. Returns a new centre of
    `center`'s shape and dtype (the official code rebinds self.center too).
    center: [1, K] or [K]; teacher_out: [B, K] (the official call passes both global crops).
    """
    t = teacher_out.detach().to(center.dtype)  # t: [B, K]
    total, rows = t.sum(dim=0), t.shape[0]  # total: [K]
    if gather and distributed.is_active():
        total = distributed.all_reduce_sum(total)
        rows *= torch.distributed.get_world_size()
    batch_center = (total / rows).reshape(center.shape)
    return center * momentum + batch_center * (1 - momentum)
