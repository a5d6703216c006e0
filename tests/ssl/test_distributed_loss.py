"""Two real gloo processes: the gathered NT-Xent, after DDP-style gradient averaging, gives the
loss and parameter gradients of one process on the concatenated batch; gather_with_grad's
backward sums every rank's gradient for the local slice."""

import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from papernotes.ssl import distributed
from papernotes.ssl.losses import nt_xent_loss

WORLD, N, D_IN, D = 2, 6, 5, 4


def _problem():
    g = torch.Generator().manual_seed(7)
    x1 = torch.randn(N, D_IN, generator=g, dtype=torch.float64)
    x2 = torch.randn(N, D_IN, generator=g, dtype=torch.float64)
    w = torch.randn(D, D_IN, generator=g, dtype=torch.float64)
    return x1, x2, w


def _worker(rank, store_path, out_dir):
    store = dist.FileStore(store_path, WORLD)
    dist.init_process_group("gloo", store=store, rank=rank, world_size=WORLD)
    try:
        env = distributed.init_distributed("cpu")
        assert (env.rank, env.world_size, env.is_main) == (rank, WORLD, rank == 0)
        x1, x2, w0 = _problem()
        n = N // WORLD
        w = w0.clone().requires_grad_()
        sl = slice(rank * n, (rank + 1) * n)
        loss = nt_xent_loss(x1[sl] @ w.t(), x2[sl] @ w.t(), temperature=0.3, gather=True)
        loss.backward()
        grad = w.grad.clone()
        dist.all_reduce(grad)  # DDP: average of the ranks' gradients
        grad /= WORLD
        mean_loss = distributed.all_reduce_mean(loss.detach())
        # gather_with_grad alone: rank k weights the gathered rows by (k + 1)
        x = torch.arange(3.0, dtype=torch.float64).view(3, 1).add(10 * rank).requires_grad_()
        y = distributed.gather_with_grad(x)  # y: [3*WORLD, 1]
        (y.sum() * (rank + 1)).backward()
        torch.save({"loss": loss.detach(), "mean_loss": mean_loss, "grad": grad,
                    "gathered": y.detach(), "xgrad": x.grad},
                   os.path.join(out_dir, f"rank{rank}.pt"))
        distributed.barrier()
    finally:
        distributed.cleanup()


def test_gathered_loss_equals_single_process(tmp_path):
    mp.spawn(_worker, args=(str(tmp_path / "store"), str(tmp_path)), nprocs=WORLD, join=True)
    res = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(WORLD)]
    x1, x2, w0 = _problem()
    w = w0.clone().requires_grad_()
    full = nt_xent_loss(x1 @ w.t(), x2 @ w.t(), temperature=0.3)
    full.backward()
    for r in res:
        torch.testing.assert_close(r["mean_loss"], full.detach(), atol=1e-6, rtol=0)
        torch.testing.assert_close(r["grad"], w.grad, atol=1e-6, rtol=0)
    # each rank's loss really is its own rows (they differ), their mean is the full loss
    assert abs(res[0]["loss"].item() - res[1]["loss"].item()) > 1e-6
    # gather: rank order, and d/dx of sum_k (k+1) * sum(y) = sum_k (k+1) = 3 on every rank
    expected = torch.tensor([0.0, 1, 2, 10, 11, 12], dtype=torch.float64).view(6, 1)
    for r in res:
        torch.testing.assert_close(r["gathered"], expected)
        torch.testing.assert_close(r["xgrad"], torch.full((3, 1), 3.0, dtype=torch.float64))


def _torchrun_worker(rank, port, out_dir):
    # what torchrun sets for each process; init_distributed must pick gloo on CPU
    os.environ.update({"RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(WORLD),
                       "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)})
    env = distributed.init_distributed("cpu")
    try:
        mean = distributed.all_reduce_mean(torch.tensor([float(rank), 10.0 * rank]))
        torch.save({"rank": env.rank, "world": env.world_size, "main": env.is_main,
                    "backend": dist.get_backend(), "mean": mean},
                   os.path.join(out_dir, f"env{rank}.pt"))
    finally:
        distributed.cleanup()


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_init_distributed_from_torchrun_env(tmp_path):
    mp.spawn(_torchrun_worker, args=(_free_port(), str(tmp_path)), nprocs=WORLD, join=True)
    for r in range(WORLD):
        got = torch.load(tmp_path / f"env{r}.pt", weights_only=True)
        assert (got["rank"], got["world"], got["main"], got["backend"]) == (r, WORLD, r == 0, "gloo")
        torch.testing.assert_close(got["mean"], torch.tensor([0.5, 5.0]))


def test_single_process_fallbacks():
    assert not distributed.is_active()
    x = torch.ones(2, 3)
    assert distributed.gather_with_grad(x) is x
    assert distributed.all_reduce_mean(x) is x
    env = distributed.init_distributed("cpu")
    assert (env.rank, env.world_size, env.is_main, env.device.type) == (0, 1, True, "cpu")
    distributed.barrier()
    distributed.cleanup()
