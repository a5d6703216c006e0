"""Sharing the machine between processes: CPU threads and cores, and GPUs, per arm.

On CPU the processes times their threads never exceed the cores: with `--nproc-per-node N`
each rank gets cores / N threads, and with `--parallel K` each of the K arms gets its own
cores / K of them (pinned, so arms do not take each other's). Oversubscribing cores is what
made a 2-process CPU run of the demo 3.6x slower than one process: each rank ran the spec's
2 threads on a 2-core machine. On GPUs each parallel arm gets its own devices.
"""

from __future__ import annotations

import os


def available_cores() -> list[int]:
    """The CPU cores this process may run on (its affinity, else all)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS/Windows
        return list(range(os.cpu_count() or 1))


def cpu_threads(wanted: int | None, processes: int, cores: int | None = None) -> int:
    """Threads per process so that `processes` of them fit on `cores`: the spec's `wanted`
    count (None: as many as fit) but never more than cores / processes, and at least 1."""
    cores = len(available_cores()) if cores is None else cores
    fit = max(1, cores // max(1, processes))
    return min(wanted, fit) if wanted else fit


def cpu_slots(parallel: int, cores: list[int] | None = None) -> list[list[int] | None]:
    """The cores of each of `parallel` arm slots (disjoint and equal); None where there are
    fewer cores than slots (the arms then share them, one thread each)."""
    cores = available_cores() if cores is None else cores
    per = len(cores) // parallel
    if per < 1:
        return [None] * parallel
    return [cores[i * per:(i + 1) * per] for i in range(parallel)]


def gpu_slots(parallel: int, per_arm: int, visible: list[str]) -> list[list[str]]:
    """The devices of each arm slot: `per_arm` GPUs each, out of `visible`."""
    return [visible[i * per_arm:(i + 1) * per_arm] for i in range(parallel)]


def visible_gpus() -> list[str]:
    """The GPUs this process may use, as CUDA_VISIBLE_DEVICES entries."""
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return [d.strip() for d in env.split(",") if d.strip() and d.strip() != "-1"]
    import torch

    return [str(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
