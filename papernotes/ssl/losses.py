"""The functional losses of the SSL family, each following its official implementation.

NT-Xent (SimCLR), InfoNCE against a queue (MoCo v2), BYOL's regression loss, Barlow Twins,
MAE's masked reconstruction; the clustering ones (SwAV's Sinkhorn and swapped prediction,
DINO's self-distillation and centre) live in losses_clustering.py and are re-exported here.

NT-Xent, the normalised temperature-scaled cross-entropy (paper Sec. 2.1, eq. 1; Algorithm 1),
follows google-research/simclr objective.py `add_contrastive_loss`: l2-normalise, positives at
the partner index, self-similarity masked with a large negative (LARGE_NUM = 1e9), softmax
cross-entropy over the remaining 2N-1 candidates, keys gathered from every replica
(`tpu_cross_replica_concat`) with labels offset by the replica id, and the loss at the official
scale: `loss_a + loss_b`, the sum of the two directions' means over N, i.e. twice the mean over
the 2N rows. Here the two views are stacked into one query block so the whole thing is ONE
matmul, with no host-device sync.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from papernotes.ssl import distributed
from papernotes.ssl.losses_clustering import _at_least_f32, dino_center_update, dino_loss, sinkhorn, swav_loss  # noqa: F401  (the last four re-exported)

LARGE_NUM = 1e9  # objective.py: masks the self-similarity logit
BN_EPS = 1e-5  # nn.BatchNorm1d's default eps, Barlow Twins' normalisation layer
MAE_EPS = 1e-6  # models_mae.py forward_loss: (var + 1.e-6) ** .5


def nt_xent_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5,
                 gather: bool = False) -> torch.Tensor:
    """NT-Xent of this rank's n pairs at objective.py's scale, `loss_a + loss_b` (each the mean
    over the n queries of one view): the sum over the 2n rows divided by n, twice their mean.
    The scale matters beyond the loss's value: parameters that LARS leaves out of the trust
    ratio (BN, biases) take the raw lr times this gradient. z1, z2: [n, D] projections of the
    two views.

    With `gather=True` under torch.distributed, negatives come from every rank; after DDP's
    gradient averaging the gradients equal those of one process on the concatenated batch.
    """
    n = z1.shape[0]
    q = torch.cat([z1, z2], dim=0)  # q: [2n, D]
    q = F.normalize(_at_least_f32(q), dim=1)  # the softmax over 2N-1 wants float32 logits
    if gather and distributed.is_active():
        keys = distributed.gather_with_grad(q)  # keys: [2n*W, D], rank r's rows at r*2n
        offset = torch.distributed.get_rank() * 2 * n
    else:
        keys, offset = q, 0
    logits = q @ keys.t() / temperature  # logits: [2n, 2n*W]
    rows = torch.arange(2 * n, device=q.device)  # rows: [2n]
    self_idx = rows + offset  # each query's own column among the keys
    # positive: view 1 row i <-> view 2 row i, i.e. the partner at (i + n) mod 2n on this rank
    pos_idx = (rows + n) % (2 * n) + offset  # pos_idx: [2n]
    self_mask = torch.zeros_like(logits, dtype=torch.bool)
    self_mask[rows, self_idx] = True
    logits = logits.masked_fill(self_mask, -LARGE_NUM)
    return F.cross_entropy(logits, pos_idx, reduction="sum") / n  # loss_a + loss_b


def infonce_queue_loss(q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor,
                       temperature: float = 0.2) -> torch.Tensor:
    """MoCo v2's InfoNCE (MoCo paper eq. 1): each query against its key and a queue of negatives.

    Follows facebookresearch/moco moco/builder.py `MoCo.forward` (+ main_moco.py's
    CrossEntropyLoss): queries and keys l2-normalised, keys without gradient, logits
    [q.k, q.queue] / T with the positive at index 0. The official queue is a [D, K] buffer;
    here it is [K, D] (one key per row, as `moco_enqueue` writes it). T = 0.2 is MoCo v2's
    `--moco-t 0.2` (README; main_moco.py's default 0.07 is v1's). Returns the mean over the
    N queries. q, k: [N, D] raw projections (normalised here); queue: [K, D] normalised keys.
    """
    q = F.normalize(_at_least_f32(q), dim=1)  # q: [N, D]
    k = F.normalize(_at_least_f32(k.detach()), dim=1)  # k: [N, D], no gradient to the keys
    queue = queue.detach().to(q.dtype)  # queue: [K, D]
    l_pos = (q * k).sum(dim=1, keepdim=True)  # l_pos: [N, 1]
    l_neg = q @ queue.t()  # l_neg: [N, K]
    logits = torch.cat([l_pos, l_neg], dim=1) / temperature  # logits: [N, 1+K]
    labels = torch.zeros(q.shape[0], dtype=torch.long, device=q.device)  # positives at 0
    return F.cross_entropy(logits, labels)


@torch.no_grad()
def moco_enqueue(queue: torch.Tensor, k: torch.Tensor, ptr: torch.Tensor | int,
                 gather: bool = False) -> torch.Tensor:
    """Write this step's normalised keys into the queue in place; returns the new pointer.

    moco/builder.py `MoCo._dequeue_and_enqueue`: keys of every rank (concat_all_gather, rank
    order) replace the oldest rows at `ptr`; K must be a multiple of the (global) batch.
    queue: [K, D] (official [D, K]); k: [n, D] raw key projections, normalised here. `ptr` may
    live on the device (a 0-d long tensor): the write is an index_copy, with no host sync.
    """
    keys = F.normalize(_at_least_f32(k.detach()), dim=1).to(queue.dtype)  # keys: [n, D]
    if gather and distributed.is_active():
        keys = distributed.gather_with_grad(keys)  # keys: [n*W, D], no grad under no_grad
    size, b = queue.shape[0], keys.shape[0]
    if size % b:
        raise ValueError(f"queue size {size} is not a multiple of the key batch {b}")
    ptr = torch.as_tensor(ptr, dtype=torch.long, device=queue.device)
    rows = ptr + torch.arange(b, device=queue.device)  # [n*W]: no wrap, since K % b == 0
    queue.index_copy_(0, rows, keys)
    return (ptr + b) % size


def _l2_normalize(x: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """byol/utils/helpers.py `l2_normalize`: x * rsqrt(max(sum(x^2), eps)) on the last dim."""
    return x * torch.rsqrt(x.pow(2).sum(dim=-1, keepdim=True).clamp_min(eps))


def byol_loss(p: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """BYOL's regression loss (paper eq. 2): mean over the batch of ||p/|p| - z/|z|||^2,
    i.e. 2 - 2 cos(p, z), for one (online prediction, target projection) pair.

    Follows deepmind-research byol/utils/helpers.py `regression_loss` (with its l2_normalize)
    and byol/byol_experiment.py `_loss_fn`, which sums the two symmetric pairs and takes the
    batch mean: call this once per pair and add. The target gets no gradient (stop_gradient).
    p, z: [N, D].
    """
    p = _l2_normalize(_at_least_f32(p))  # p: [N, D]
    z = _l2_normalize(_at_least_f32(z.detach())).to(p.dtype)  # z: [N, D], stop_gradient
    return (p - z).pow(2).sum(dim=-1).mean()


def barlow_twins_loss(z1: torch.Tensor, z2: torch.Tensor, lambd: float = 0.0051,
                      gather: bool = False) -> torch.Tensor:
    """Barlow Twins (paper eq. 1): on-diagonal (C_ii - 1)^2 + lambd * off-diagonal C_ij^2.

    Follows facebookresearch/barlowtwins main.py `BarlowTwins.forward`: each view through
    BatchNorm1d(affine=False) in training mode (SyncBatchNorm: statistics of the global batch;
    biased variance, eps 1e-5), c = bn(z1).T @ bn(z2) / global batch, c summed over ranks;
    lambd 0.0051 is main.py's default. The normalisation is written out here.
    z1, z2: [n, D] projections of this rank's n examples (the same n on every rank).

    With `gather=True` under torch.distributed the loss is the whole-batch one, identical on
    every rank, and each rank's backward gives exactly the whole-batch gradient of ITS OWN
    rows: the batch statistics are summed with a gradient-summing all_reduce (each rank's
    rows pull on them, as in SyncBatchNorm's backward) and c with an identity-backward one
    (every rank already holds the whole dL/dc, as main.py's autograd-blind all_reduce gives).
    Under DDP, whose all_reduce averages those per-rank gradients, the parameters therefore
    get (1/W) of the whole-batch gradient -- the same as the official main.py
    (barlowtwins#8). For the whole-batch gradient itself, backward on `loss * world_size`.
    With `gather=False` (or one process) everything is local: the loss of this rank's batch.
    """
    z = torch.stack([_at_least_f32(z1), _at_least_f32(z2)])  # z: [2, n, D], both views
    active = gather and distributed.is_active()
    world = torch.distributed.get_world_size() if active else 1
    stats = distributed.all_reduce_sum_with_grad if active else (lambda t: t)
    shared = distributed.all_reduce_sum_shared if active else (lambda t: t)
    b = z.shape[1] * world  # the global batch
    mean = stats(z.sum(dim=1)) / b  # mean: [2, D]
    zc = z - mean[:, None]  # zc: [2, n, D]
    var = stats(zc.pow(2).sum(dim=1)) / b  # var: [2, D], biased as BatchNorm's training mode
    zn = zc / torch.sqrt(var[:, None] + BN_EPS)  # zn: [2, n, D]
    c = shared(zn[0].t() @ zn[1] / b)  # c: [D, D], summed over ranks
    diag = torch.diagonal(c)  # diag: [D]
    on_diag = (diag - 1).pow(2).sum()
    off_diag = (c - torch.diag_embed(diag)).pow(2).sum()  # exact zeros on the diagonal
    return on_diag + lambd * off_diag


def patchify(imgs: torch.Tensor, p: int) -> torch.Tensor:
    """Images to rows of flattened p x p patches, pixel-major then channel ((p, q, c) order).

    facebookresearch/mae models_mae.py `MaskedAutoencoderViT.patchify` (which asserts square
    images and 3 channels; here any C and H, W multiples of p). imgs: [N, C, H, W].
    """
    n, c, h, w = imgs.shape
    if h % p or w % p:
        raise ValueError(f"image {h}x{w} is not a whole number of {p}x{p} patches")
    x = imgs.reshape(n, c, h // p, p, w // p, p)  # x: [N, C, h, p, w, p]
    x = torch.einsum("nchpwq->nhwpqc", x)  # x: [N, h, w, p, p, C]
    return x.reshape(n, (h // p) * (w // p), p * p * c)  # [N, L, p*p*C]


def mae_loss(pred: torch.Tensor, patches: torch.Tensor, mask: torch.Tensor,
             norm_pix: bool = True) -> torch.Tensor:
    """MAE's reconstruction loss: per-patch MSE averaged over the removed patches only.

    Follows facebookresearch/mae models_mae.py `MaskedAutoencoderViT.forward_loss`: with
    norm_pix (--norm_pix_loss) the target patch is standardised by its own mean and UNBIASED
    variance (torch.var's default there), (var + 1e-6) ** .5. The target is data: no gradient.
    pred, patches: [N, L, p*p*C]; mask: [N, L], 1 = removed (scored), 0 = kept.
    """
    pred = _at_least_f32(pred)
    target = patches.detach().to(pred.dtype)  # target: [N, L, p*p*C]
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)  # mean: [N, L, 1]
        var = target.var(dim=-1, keepdim=True)  # var: [N, L, 1], unbiased as in the official code
        target = (target - mean) / (var + MAE_EPS) ** 0.5
    loss = (pred - target).pow(2).mean(dim=-1)  # loss: [N, L], mean per patch
    mask = mask.to(loss.dtype)
    return (loss * mask).sum() / mask.sum()
