"""MoCo v2 and Barlow Twins through the engine on two real gloo ranks (one spawn, CPU): two
steps each, finite losses, the same weights and queue on both ranks, MoCo's queue holding both
ranks' keys in rank order, and its shuffle-BN bookkeeping (_batch_shuffle_ddp /
_batch_unshuffle_ddp) giving every rank back the keys of its own images."""

import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

WORLD, BATCH, STEPS = 2, 16, 2  # global batch 16 = 8 per rank; 2 of the 4 steps of an epoch
SHUFFLE_STEP = 7  # the step whose shuffle the eval-mode check replays


def _config(method: str, out_dir: str) -> dict:
    options = {"mocov2": {"queue_size": 64, "mlp_hidden": 16, "shuffle_bn": True},
               "barlowtwins": {"projector": "16-16"}}[method]
    return {
        "method": method, method: options,
        "data": {"num_train": 64, "num_test": 16, "image_size": 16},
        "model": {"base_channels": 4, "cifar_stem": False, "proj_dim": 8},
        "train": {"epochs": 1, "batch_size": BATCH, "device": "cpu", "channels_last": False, "log_every": 1,
                  "threads": 1, "deterministic": True, "max_steps": STEPS},
        "optim": {"base_lr": 0.5, "weight_decay": 1e-4, "warmup_epochs": 0},
        "eval": {"linear_method": "lbfgs", "linear_epochs": 1, "knn_k": 5, "monitor_every": 0,
                 "random_init_baseline": False},
        "out_dir": out_dir,
    }


def _train(method: str, out_dir: str):
    """pretrain.run on this rank; returns (result, the method, each step's loss, the keys each
    step enqueued)."""
    from papernotes.ssl import pretrain
    from papernotes.ssl.config import config_from_dict

    built, losses, keys = {}, [], []
    real_build = pretrain.build_method

    def build(cfg):
        m = built["m"] = real_build(cfg)
        real_forward, real_after = m.forward, m.after_step

        def forward(views, step):  # DDP calls the module, which calls this
            loss, feats = real_forward(views, step)
            losses.append(loss.detach().clone())
            return loss, feats

        def after_step(step):
            if getattr(m, "_keys", None) is not None:
                keys.append(m._keys.clone())  # this rank's keys, about to be gathered and enqueued
            real_after(step)

        m.forward, m.after_step = forward, after_step
        return m

    pretrain.build_method = build
    try:
        result = pretrain.run(config_from_dict(_config(method, out_dir)))
    finally:
        pretrain.build_method = real_build
    return result, built["m"], losses, keys


@torch.no_grad()
def _shuffled_keys_are_own_keys(m, rank: int) -> bool:
    """In eval mode a key no longer depends on its batch, so the shuffled path (gather, this
    rank's part of a shared permutation, key encoder, gather, unshuffle) must give each rank the
    keys of its own images, as the plain key encoder does."""
    for buf in [*m.key_encoder.buffers(), *m.key_head.buffers()]:
        dist.broadcast(buf, 0)  # the BN running statistics are per rank on CPU: share rank 0's
    m.key_encoder.eval()
    m.key_head.eval()
    x = torch.rand(BATCH // WORLD, 3, 16, 16, generator=torch.Generator().manual_seed(100 + rank))
    shuffled, plain = m._keys_of(x, SHUFFLE_STEP), m.key_head(m.key_encoder(x))
    return torch.allclose(shuffled, plain, atol=1e-5)


def _worker(rank, store_path, out_dir):
    from papernotes.ssl import distributed

    dist.init_process_group("gloo", store=dist.FileStore(store_path, WORLD), rank=rank, world_size=WORLD)
    real_cleanup, distributed.cleanup = distributed.cleanup, lambda: None  # one group for both runs
    try:
        out = {}
        for method in ("mocov2", "barlowtwins"):
            result, m, losses, keys = _train(method, os.path.join(out_dir, method))
            out[method] = {"status": result["status"], "losses": losses, "params": dict(m.named_parameters()),
                           "buffers": {k: v for k, v in m.named_buffers() if "queue" in k}, "keys": keys}
            if method == "mocov2":
                out[method]["shuffle_ok"] = _shuffled_keys_are_own_keys(m, rank)
        torch.save(out, os.path.join(out_dir, f"rank{rank}.pt"))
        dist.barrier()
    finally:
        real_cleanup()


def test_mocov2_and_barlowtwins_train_alike_on_two_ranks(tmp_path):
    mp.spawn(_worker, args=(str(tmp_path / "store"), str(tmp_path)), nprocs=WORLD, join=True)
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=False) for r in range(WORLD)]
    n = BATCH // WORLD
    for method in ("mocov2", "barlowtwins"):
        a, b = ranks[0][method], ranks[1][method]
        assert a["status"] == b["status"] == "finished"
        assert len(a["losses"]) == len(b["losses"]) == STEPS
        assert all(torch.isfinite(x) for x in a["losses"] + b["losses"]), method
        for name, p in a["params"].items():  # DDP's averaged gradients (+ the EMA of equal weights)
            assert torch.equal(p, b["params"][name]), (method, name)
    # Barlow Twins' loss is the whole-batch one on every rank (c summed across ranks)
    for x, y in zip(ranks[0]["barlowtwins"]["losses"], ranks[1]["barlowtwins"]["losses"]):
        torch.testing.assert_close(x, y)
    moco = [r["mocov2"] for r in ranks]
    assert torch.equal(moco[0]["buffers"]["queue"], moco[1]["buffers"]["queue"])
    assert int(moco[0]["buffers"]["queue_ptr"]) == STEPS * BATCH
    queue = moco[0]["buffers"]["queue"]
    for step in range(STEPS):  # step s wrote rows [s*B, (s+1)*B): rank 0's keys, then rank 1's
        for r in range(WORLD):
            rows = queue[(step * WORLD + r) * n:(step * WORLD + r + 1) * n]
            torch.testing.assert_close(rows, F.normalize(moco[r]["keys"][step], dim=1))
    assert not torch.equal(moco[0]["keys"][0], moco[1]["keys"][0])  # the ranks saw different images
    # the replayed permutation sends images across ranks, and the keys come back to their own rank
    perm = torch.randperm(BATCH, generator=torch.Generator().manual_seed(SHUFFLE_STEP))  # seed 0
    assert (perm[:n] >= n).any()
    assert moco[0]["shuffle_ok"] and moco[1]["shuffle_ok"]
