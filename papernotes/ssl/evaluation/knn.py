"""kNN monitor (InstDisc / MoCo style): cosine similarity, the k nearest training features vote
with weight exp(sim / T); top-1 in percent. k is capped at the training-set size."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


@torch.no_grad()
def knn_predict(train_feats: Tensor, train_y: Tensor, query: Tensor, num_classes: int, k: int = 200,
                temperature: float = 0.1, chunk: int = 1024) -> Tensor:
    """Class scores [M, C] for each query row; features need not be normalised."""
    bank = F.normalize(train_feats.float(), dim=1)
    k = min(k, bank.shape[0])
    scores = []
    for start in range(0, query.shape[0], chunk):
        q = F.normalize(query[start:start + chunk].float(), dim=1)
        sim, idx = (q @ bank.T).topk(k, dim=1)
        weight = (sim / temperature).exp()
        onehot = F.one_hot(train_y[idx], num_classes).float()
        scores.append((onehot * weight[..., None]).sum(dim=1))
    return torch.cat(scores)


@torch.no_grad()
def knn_top1(train_feats: Tensor, train_y: Tensor, test_feats: Tensor, test_y: Tensor, num_classes: int,
             k: int = 200, temperature: float = 0.1) -> float:
    pred = knn_predict(train_feats, train_y, test_feats, num_classes, k, temperature).argmax(dim=1)
    return (pred == test_y).float().mean().item() * 100.0
