"""MAE's masks under DDP (2 gloo processes through the real training loop): each rank's mask
noise differs from the other rank's and from step to step, and is reproduced exactly by one
process from (seed, rank, step) alone, as a resumed or re-run job needs."""

import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from papernotes.ssl.config import config_from_dict
from papernotes.ssl.methods import build_method
from papernotes.ssl.methods.mae import MAE, random_masking
from papernotes.ssl.train import view_seed

WORLD, STEPS, SEED = 2, 3, 5
CONFIG = {
    "method": "mae", "mae": {"decoder_embed_dim": 32, "decoder_depth": 1, "decoder_num_heads": 4},
    "data": {"num_train": 64, "num_test": 16, "image_size": 16},
    "model": {"arch": "vit_tiny", "patch_size": 4, "vit_depth": 1},
    "optim": {"name": "adamw", "base_lr": 1e-3, "weight_decay": 0.05, "betas": [0.9, 0.95], "warmup_epochs": 0},
    "train": {"epochs": 2, "batch_size": 32, "seed": SEED, "device": "cpu", "channels_last": False, "log_every": 1,
              "threads": 1, "deterministic": True, "max_steps": STEPS},
    "eval": {"linear_method": "lbfgs", "linear_epochs": 1, "knn_k": 5, "online_probe": False,
             "random_init_baseline": False, "monitor_every": 0},
}


def _worker(rank, store_path, out_dir):
    from papernotes.ssl.pretrain import run

    dist.init_process_group("gloo", store=dist.FileStore(store_path, WORLD), rank=rank, world_size=WORLD)
    seen = []
    views = MAE.views

    def recording(self, images, generator):
        out = views(self, images, generator)
        seen.append({"images": images.clone(), "view": out[0].clone(), "noise": out[1].clone()})
        return out

    MAE.views = recording
    run(config_from_dict({**CONFIG, "out_dir": os.path.join(out_dir, "run")}))  # tears the group down
    torch.save(seen, os.path.join(out_dir, f"rank{rank}.pt"))


def test_masks_are_per_rank_per_step_and_reproducible(tmp_path):
    mp.spawn(_worker, args=(str(tmp_path / "store"), str(tmp_path)), nprocs=WORLD, join=True)
    seen = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(WORLD)]
    assert [len(s) for s in seen] == [STEPS] * WORLD
    n = seen[0][0]["noise"].shape[0]
    assert n == CONFIG["train"]["batch_size"] // WORLD
    masks = [[random_masking(s["noise"].reshape(n, 16), 0.75)[1] for s in rank_seen] for rank_seen in seen]
    for step in range(STEPS):
        assert not torch.equal(masks[0][step], masks[1][step])  # independent across ranks
        for other in range(step):
            assert not torch.equal(masks[0][step], masks[0][other])  # and across steps
        for r in range(WORLD):
            assert (masks[r][step].sum(dim=1) == 12).all()
    torch.manual_seed(0)
    mae = build_method(config_from_dict(CONFIG))  # one process, no group: weights do not matter
    for r in range(WORLD):
        for step, rec in enumerate(seen[r]):
            got = mae.views(rec["images"], torch.Generator().manual_seed(view_seed(SEED, step, r)))
            assert torch.equal(got[1], rec["noise"]) and torch.equal(got[0], rec["view"]), (r, step)
