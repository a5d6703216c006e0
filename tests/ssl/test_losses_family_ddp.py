"""Two real gloo processes (one spawn for everything) against one process on the concatenated
batch: SwAV's Sinkhorn codes, DINO's centre, MoCo's gathered enqueue, and Barlow Twins' loss and
input gradients with the statistics and c reduced across ranks; in the same spawn, the SwAV
method's queue against main_swav.py's per-rank queue (test_multicrop.py)."""

import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from papernotes.ssl import distributed
from papernotes.ssl.losses import barlow_twins_loss, dino_center_update, moco_enqueue, sinkhorn

WORLD, N, K, D_IN, D = 2, 6, 4, 5, 3
F64 = torch.float64


def _problem():
    g = torch.Generator().manual_seed(21)
    return {
        "scores": torch.randn(N, K, generator=g, dtype=F64),
        "teacher": torch.randn(N, K, generator=g, dtype=F64),
        "center": torch.randn(1, K, generator=g, dtype=F64),
        "x1": 1.5 + torch.randn(N, D_IN, generator=g, dtype=F64),
        "x2": torch.randn(N, D_IN, generator=g, dtype=F64),
        "w": torch.randn(D, D_IN, generator=g, dtype=F64),
        "keys": torch.randn(N, D, generator=g, dtype=F64),
    }


def _barlow(x1, x2, w0, gather):
    """Projections z = x w^T (a stand-in for the network), the loss, dL/dz and dL/dw."""
    w = w0.clone().requires_grad_()
    z1, z2 = x1 @ w.t(), x2 @ w.t()
    z1.retain_grad()
    z2.retain_grad()
    loss = barlow_twins_loss(z1, z2, lambd=0.3, gather=gather)
    loss.backward()
    return loss.detach(), z1.grad, z2.grad, w.grad


def _worker(rank, store_path, out_dir):
    store = dist.FileStore(store_path, WORLD)
    dist.init_process_group("gloo", store=store, rank=rank, world_size=WORLD)
    try:
        p = _problem()
        n = N // WORLD
        sl = slice(rank * n, (rank + 1) * n)
        out = {
            "codes": sinkhorn(p["scores"][sl], epsilon=0.5, iterations=3, gather=True),
            "codes_local": sinkhorn(p["scores"][sl], epsilon=0.5, iterations=3),
            "center": dino_center_update(p["center"], p["teacher"][sl], 0.9, gather=True),
        }
        queue = torch.zeros(2 * N, D, dtype=F64)
        out["ptr"] = torch.tensor(moco_enqueue(queue, p["keys"][sl], 0, gather=True))
        out["queue"] = queue
        loss, g1, g2, gw = _barlow(p["x1"][sl], p["x2"][sl], p["w"], gather=True)
        dist.all_reduce(gw)  # DDP: the average of the ranks' parameter gradients
        out.update(bt_loss=loss, bt_g1=g1, bt_g2=g2, bt_ddp_gw=gw / WORLD,
                   bt_loss_local=_barlow(p["x1"][sl], p["x2"][sl], p["w"], gather=False)[0])
        from tests.ssl.test_multicrop import swav_method_over_ranks

        out.update(swav_method_over_ranks(rank))
        torch.save(out, os.path.join(out_dir, f"rank{rank}.pt"))
        distributed.barrier()
    finally:
        distributed.cleanup()


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """One spawn of WORLD gloo ranks for every test here; each rank's saved outputs."""
    tmp_path = tmp_path_factory.mktemp("ranks")
    mp.spawn(_worker, args=(str(tmp_path / "store"), str(tmp_path)), nprocs=WORLD, join=True)
    return [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(WORLD)]


def test_gathered_family_equals_single_process(ranks):
    res = ranks
    p = _problem()
    n = N // WORLD
    codes = sinkhorn(p["scores"], epsilon=0.5, iterations=3)  # the whole batch, one process
    center = dino_center_update(p["center"], p["teacher"], 0.9)
    loss, g1, g2, gw = _barlow(p["x1"], p["x2"], p["w"], gather=False)
    keys = torch.nn.functional.normalize(p["keys"], dim=1)
    tight = {"atol": 1e-12, "rtol": 1e-10}
    for r, got in enumerate(res):
        sl = slice(r * n, (r + 1) * n)
        # SwAV: each rank gets its rows of the whole-batch codes; its local codes differ
        torch.testing.assert_close(got["codes"], codes[sl], **tight)
        assert not torch.allclose(got["codes_local"], codes[sl], atol=1e-3)
        # DINO: the centre moves towards the mean of the global batch
        torch.testing.assert_close(got["center"], center, **tight)
        # MoCo: every rank enqueues all ranks' keys, in rank order
        assert int(got["ptr"]) == N
        torch.testing.assert_close(got["queue"][:N], keys, **tight)
        assert not got["queue"][N:].any()
        # Barlow Twins: the whole-batch loss on every rank, its gradient for the rank's own rows
        torch.testing.assert_close(got["bt_loss"], loss, **tight)
        torch.testing.assert_close(got["bt_g1"], g1[sl], **tight)
        torch.testing.assert_close(got["bt_g2"], g2[sl], **tight)
        assert abs(got["bt_loss_local"].item() - loss.item()) > 1e-3
        # ... so DDP's averaging leaves the parameters 1/W of the whole-batch gradient
        torch.testing.assert_close(got["bt_ddp_gw"] * WORLD, gw, **tight)


def test_swav_method_queue_is_each_ranks_official_queue(ranks):
    """main_swav.py keeps a queue of its own z per rank; the method's buffer holds every rank's
    part, the same on every rank (so rank 0's checkpoint is the whole state), and each rank's
    loss and queue part matched the official per-rank loop inside the worker."""
    r0, r1 = ranks
    assert torch.equal(r0["swav_queue"], r1["swav_queue"])
    assert r0["swav_used"].tolist() == [False, False, False, False, True, True]
    part = r0["swav_queue"].shape[1] // WORLD
    assert not torch.equal(r0["swav_queue"][:, :part], r0["swav_queue"][:, part:])  # each rank's own z
