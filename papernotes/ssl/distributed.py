"""Process-group plumbing: torchrun's environment, one-process fallback, a gather that carries
gradients, and the few collectives the engine needs. NCCL on CUDA, gloo on CPU."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from papernotes.ssl.config.errors import ConfigError


@dataclass(frozen=True)
class DistEnv:
    rank: int
    local_rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def is_active() -> bool:
    """True when a process group with more than one rank is up."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def _resolve_device(device: str, local_rank: int) -> torch.device:
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError("train.device", "'cuda' requested but torch sees no CUDA device "
                                              "(use --device cpu, or check the driver with nvidia-smi)")
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def init_distributed(device: str = "auto") -> DistEnv:
    """Read torchrun's RANK/LOCAL_RANK/WORLD_SIZE; a single process when they are absent.

    A process group that is already up (tests that build their own store) is reused as it is.
    """
    if dist.is_available() and dist.is_initialized():
        rank, world = dist.get_rank(), dist.get_world_size()
        local_rank = int(os.environ.get("LOCAL_RANK", rank))
        return DistEnv(rank, local_rank, world, _resolve_device(device, local_rank))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = _resolve_device(device, local_rank)
    if world > 1:
        if dev.type == "cuda":
            torch.cuda.set_device(dev)
        backend = "nccl" if dev.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend, init_method="env://", rank=rank, world_size=world)
    return DistEnv(rank, local_rank, world, dev)


class _GatherWithGrad(torch.autograd.Function):
    """all_gather forward; backward sums every rank's gradient for this rank's slice.

    Rank k's loss L_k depends on every rank's rows, so d(sum_k L_k)/dx_r = sum_k dL_k/dx_r:
    an all_reduce(SUM) of the full gathered gradient, then this rank's slice. DDP then divides
    by world size, which turns sum_k L_k into the mean over ranks = the full-batch loss.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:  # x: [n, D]
        world = dist.get_world_size()
        parts = [torch.empty_like(x) for _ in range(world)]
        dist.all_gather(parts, x.contiguous())
        ctx.rank, ctx.n = dist.get_rank(), x.shape[0]
        return torch.cat(parts, dim=0)  # [world*n, D]

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:  # grad: [world*n, D]
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad[ctx.rank * ctx.n:(ctx.rank + 1) * ctx.n]  # [n, D]


def gather_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Rows of every rank concatenated in rank order (equal row counts); identity alone."""
    if not is_active():
        return x
    return _GatherWithGrad.apply(x)


def all_reduce_mean(x: torch.Tensor) -> torch.Tensor:
    """Mean of `x` over ranks (a new tensor); `x` itself when single-process."""
    if not is_active():
        return x
    out = x.detach().clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out / dist.get_world_size()


def any_rank(flag: bool, device: torch.device) -> bool:
    """True on every rank when `flag` is true on at least one (a collective: all ranks call it)."""
    if not is_active():
        return flag
    t = torch.tensor([1 if flag else 0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def gather_scalar(x: torch.Tensor) -> torch.Tensor:
    """Every rank's scalar `x`, in rank order: shape [world] (a collective); [1] alone."""
    x = x.detach().reshape(1)
    if not is_active():
        return x.clone()
    parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, x.contiguous())
    return torch.cat(parts)


def barrier() -> None:
    if is_active():
        dist.barrier()


def cleanup() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def all_reduce_sum(x: torch.Tensor) -> torch.Tensor:
    """Sum of `x` over ranks as a new tensor without gradient (statistics: SwAV's Sinkhorn sums,
    DINO's centre); a detached copy when single-process."""
    out = x.detach().clone()
    if is_active():
        dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out


def all_reduce_max(x: torch.Tensor) -> torch.Tensor:
    """Element-wise max of `x` over ranks as a new tensor without gradient; a copy alone."""
    out = x.detach().clone()
    if is_active():
        dist.all_reduce(out, op=dist.ReduceOp.MAX)
    return out


class _AllReduceSumGrad(torch.autograd.Function):
    """all_reduce(SUM) forward; all_reduce(SUM) of the gradient backward.

    For a total S = sum_k s_k that each rank then uses with its OWN rows (SyncBatchNorm's
    statistics): rank r's backward only holds its rows' share of dL/dS; the whole dL/dS is the
    sum of the shares, and since dS/ds_r = I that sum is what s_r must receive.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        out = x.detach().clone()
        dist.all_reduce(out, op=dist.ReduceOp.SUM)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad


class _AllReduceSumShared(_AllReduceSumGrad):
    """all_reduce(SUM) forward (inherited); identity backward.

    For a total S = sum_k s_k that every rank then feeds through the SAME computation to the
    SAME loss L(S): every rank's incoming gradient already is the whole dL/dS, which is
    dL/ds_r. (What a plain, autograd-blind torch.distributed.all_reduce gives, as in Barlow
    Twins' main.py.)
    """

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        return grad


def all_reduce_sum_with_grad(x: torch.Tensor) -> torch.Tensor:
    """Sum over ranks, gradients summed over ranks on the way back (see _AllReduceSumGrad);
    identity alone."""
    if not is_active():
        return x
    return _AllReduceSumGrad.apply(x)


def all_reduce_sum_shared(x: torch.Tensor) -> torch.Tensor:
    """Sum over ranks for a total every rank consumes identically: identity backward (see
    _AllReduceSumShared); identity alone."""
    if not is_active():
        return x
    return _AllReduceSumShared.apply(x)
