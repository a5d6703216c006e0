"""NT-Xent, the normalised temperature-scaled cross-entropy (paper Sec. 2.1, eq. 1; Algorithm 1).

Follows google-research/simclr objective.py `add_contrastive_loss`: l2-normalise, positives at
the partner index, self-similarity masked with a large negative (LARGE_NUM = 1e9), softmax
cross-entropy over the remaining 2N-1 candidates, keys gathered from every replica
(`tpu_cross_replica_concat`) with labels offset by the replica id. Here the two views are
stacked into one query block so the whole thing is ONE matmul, with no host-device sync.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from papernotes.ssl import distributed

LARGE_NUM = 1e9  # objective.py: masks the self-similarity logit


def nt_xent_loss(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5,
                 gather: bool = False) -> torch.Tensor:
    """Mean NT-Xent over this rank's 2n rows; z1, z2: [n, D] projections of the two views.

    With `gather=True` under torch.distributed, negatives come from every rank; after DDP's
    gradient averaging the gradients equal those of one process on the concatenated batch.
    """
    n = z1.shape[0]
    q = torch.cat([z1, z2], dim=0)  # q: [2n, D]
    if q.dtype in (torch.float16, torch.bfloat16):
        q = q.float()  # the softmax over 2N-1 candidates wants float32 logits
    q = F.normalize(q, dim=1)
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
    return F.cross_entropy(logits, pos_idx)
