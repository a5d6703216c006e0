"""How often a launch saves its checkpoint when its profile does not say.

`train.checkpoint_every: 0` leaves the engine one checkpoint, at the end or at a signal; a run
killed outright (SIGKILL, the OOM killer, a node lost) then restarts from step 0. So a launch
whose config says 0 checkpoints about ten times over the run, and at least every ten epochs
(a 1000-epoch CIFAR run: every 10 epochs, a quarter of an hour on one GPU; the 30-epoch demo:
every 3 epochs, under a minute on 2 cores). Where the size of an epoch cannot be told from the
config (an ImageFolder), every 1000 steps. `checkpoint_every` names no result
(spec/config_hash.py), so this changes no config hash.
"""

from __future__ import annotations

TRAIN_IMAGES = {"cifar10": 50_000, "cifar100": 50_000, "stl10": 105_000}  # train (+ unlabeled)
UNKNOWN_EPOCH_STEPS = 1000


def steps_per_epoch(cfg) -> int | None:
    """The engine's steps per epoch (IndexSampler: images // global batch), where known."""
    images = cfg.data.num_train if cfg.data.name == "synthetic" else TRAIN_IMAGES.get(cfg.data.name)
    if not images:
        return None
    return max(1, images // max(1, cfg.train.batch_size))


def periodic_checkpoints(cfg) -> int:
    """`checkpoint_every` for a config that leaves it 0 (its own value otherwise)."""
    if cfg.train.checkpoint_every:
        return cfg.train.checkpoint_every
    spe = steps_per_epoch(cfg)
    if spe is None:
        return UNKNOWN_EPOCH_STEPS
    epochs = max(1, min(cfg.train.epochs // 10, 10))
    return spe * epochs
