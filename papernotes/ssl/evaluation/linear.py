"""Offline linear evaluation (the paper's protocol) on a frozen encoder.

Features come from the un-augmented images, computed once with the encoder frozen (eval mode,
no grad); the encoder's weights are checksummed before and after, and a change raises. A linear
classifier is then trained on those features: SGD with Nesterov momentum 0.9, cosine lr, no
weight decay by default (the paper), or L-BFGS logistic regression for small sets. Features are
standardised with the training-set mean/std first (an affine map, so the classifier stays linear).
Top-1 and top-5 in percent.
"""

from __future__ import annotations

import hashlib
import math
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from papernotes.ssl.config import EvalConfig


class EncoderChanged(RuntimeError):
    """The frozen encoder's weights changed during evaluation (a bug, never user input)."""


def checksum(module: nn.Module) -> str:
    h = hashlib.sha256()
    for name, t in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().reshape(-1).contiguous().view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


@torch.no_grad()
def encode(encoder: nn.Module, images: Tensor, to_input: Callable[[Tensor], Tensor], batch_size: int = 512,
           progress: Callable[[int, int], None] | None = None) -> Tensor:
    """Features float32 [N, D] of uint8 images [N, 3, H, W] (on the encoder's device), or of a
    streamed split (`stream.FolderImages`: its batches come decoded in the eval transform)."""
    was_training = encoder.training
    encoder.eval()
    out = []
    n = images.shape[0]
    chunks = images.batches(batch_size) if hasattr(images, "batches") else (
        images[start:start + batch_size] for start in range(0, n, batch_size))
    try:
        done = 0
        for chunk in chunks:
            out.append(encoder(to_input(chunk)).float())
            done += chunk.shape[0]
            if progress:
                progress(done, n)
    finally:
        encoder.train(was_training)
    return torch.cat(out)


def _topk(logits: Tensor, y: Tensor, k: int) -> float:
    k = min(k, logits.shape[1])
    return (logits.topk(k, dim=1).indices == y[:, None]).any(dim=1).float().mean().item() * 100.0


def fit_linear(train_f: Tensor, train_y: Tensor, num_classes: int, cfg: EvalConfig, seed: int = 0) -> nn.Module:
    """Train a linear classifier on fixed features by the configured protocol.

    With cfg.linear_bn the classifier is MAE main_linprobe.py's BatchNorm1d(affine=False,
    eps=1e-6) -> Linear (a BN without parameters: still a linear map at test time). L-BFGS sees
    the whole set at every call, so its BN keeps the exact full-set statistics (momentum None)."""
    g = torch.Generator().manual_seed(seed)
    linear = nn.Linear(train_f.shape[1], num_classes).to(train_f.device)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(linear.weight.shape, generator=g).mul_(0.01).to(train_f.device))
        linear.bias.zero_()
    clf: nn.Module = linear
    if cfg.linear_bn:
        momentum = None if cfg.linear_method == "lbfgs" else 0.1
        bn = nn.BatchNorm1d(train_f.shape[1], affine=False, eps=1e-6, momentum=momentum)
        clf = nn.Sequential(bn, linear).to(train_f.device)
    if cfg.linear_method == "lbfgs":
        opt = torch.optim.LBFGS(clf.parameters(), lr=1.0, max_iter=cfg.linear_epochs * 10,
                                history_size=20, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(clf(train_f), train_y)
            loss = loss + 0.5 * max(cfg.linear_weight_decay, 1e-6) * linear.weight.square().sum()
            loss.backward()
            return loss

        opt.step(closure)
        return clf.eval()
    opt = torch.optim.SGD(clf.parameters(), lr=cfg.linear_lr, momentum=0.9, nesterov=True,
                          weight_decay=cfg.linear_weight_decay)
    n, bs = train_f.shape[0], min(cfg.linear_batch_size, train_f.shape[0])
    steps_per_epoch = max(1, n // bs)
    total = cfg.linear_epochs * steps_per_epoch
    step = 0
    for _ in range(cfg.linear_epochs):
        perm = torch.randperm(n, generator=g).to(train_f.device)
        for i in range(steps_per_epoch):
            for group in opt.param_groups:
                group["lr"] = cfg.linear_lr * 0.5 * (1 + math.cos(math.pi * step / total))
            idx = perm[i * bs:(i + 1) * bs]
            loss = F.cross_entropy(clf(train_f[idx]), train_y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
    return clf.eval()


def linear_probe(train_f: Tensor, train_y: Tensor, test_f: Tensor, test_y: Tensor, num_classes: int,
                 cfg: EvalConfig, seed: int = 0) -> dict:
    """Top-1/top-5 (percent) of a linear classifier fitted on standardised training features
    (or, with cfg.linear_bn, on raw features behind its own BatchNorm)."""
    if cfg.linear_bn:
        tr, te = train_f, test_f
    else:
        mean, std = train_f.mean(dim=0), train_f.std(dim=0).clamp(min=1e-6)
        tr, te = (train_f - mean) / std, (test_f - mean) / std
    with torch.enable_grad():
        clf = fit_linear(tr, train_y, num_classes, cfg, seed)
    with torch.no_grad():
        logits = clf(te)
    return {"top1": _topk(logits, test_y, 1), "top5": _topk(logits, test_y, 5), "feature_dim": train_f.shape[1]}


def evaluate_frozen(encoder: nn.Module, train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor,
                    num_classes: int, cfg: EvalConfig, to_input: Callable[[Tensor], Tensor], seed: int = 0,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """Linear evaluation of a frozen encoder; raises EncoderChanged if its weights moved."""
    before = checksum(encoder)
    n_total = train_x.shape[0] + test_x.shape[0]
    tick = (lambda d, t: progress(d, n_total)) if progress else None
    train_f = encode(encoder, train_x, to_input, progress=tick)
    tick_test = (lambda d, t: progress(train_x.shape[0] + d, n_total)) if progress else None
    test_f = encode(encoder, test_x, to_input, progress=tick_test)
    result = linear_probe(train_f, train_y, test_f, test_y, num_classes, cfg, seed)
    if checksum(encoder) != before:
        raise EncoderChanged("linear evaluation changed the frozen encoder's weights")
    return result
