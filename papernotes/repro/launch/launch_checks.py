"""Checks of a resolved config against its launch, made before anything starts (and by
`--dry-run`): each is one line and exit 2, with no MLflow run, in well under a second, instead
of an engine error after seconds of start-up (a FAILED run, a torchrun traceback per rank).

- `--gpus N` with `--device cpu`: a contradiction, refused rather than one silently winning;
- the global batch must split evenly over the processes (the engine's IndexSampler);
- a batch no larger than the data set, where the config says how large it is (the synthetic
  set's `data.num_train`).
"""

from __future__ import annotations

from papernotes.core.errors import PapernotesError


def check_device_options(device: str | None, gpus: int | None) -> None:
    """`--gpus N` (N > 0) asks for GPUs, `--device cpu` for none: refuse, naming both."""
    if device == "cpu" and gpus:
        raise PapernotesError(f"--gpus {gpus} asks for GPUs but --device cpu for none",
                              field="--gpus", hint="drop --gpus to train on CPU "
                              "(--nproc-per-node N for N CPU ranks), or --device to use the GPUs")


def check_batch(cfg, world_size: int) -> None:
    """The global batch against the processes and the data set."""
    batch = cfg.train.batch_size
    if world_size > 1 and batch % world_size:
        fits = [n for n in range(world_size, 0, -1) if batch % n == 0][0]
        raise PapernotesError(f"batch {batch} is not divisible by {world_size} processes",
                              field="train.batch_size",
                              hint=f"a multiple of {world_size} (--set train.batch_size="
                                   f"{batch - batch % world_size or world_size}), or {fits} processes")
    data = cfg.data
    if data.name == "synthetic" and data.num_train < batch:
        raise PapernotesError(f"batch {batch} is larger than the data set (data.num_train "
                              f"{data.num_train} images)", field="train.batch_size",
                              hint=f"--set train.batch_size={data.num_train} or less, or more "
                                   f"data.num_train")
