"""Checkpoints that make a resumed run bitwise equal to an uninterrupted one (CPU, deterministic).

`pretrain.run` saves: `model` (the method's whole state_dict: encoder, heads, and every piece of
method state — momentum/target/teacher copies, queue and its pointer, centre, prototypes — which
the methods keep as submodules and buffers), `optimizer`, `probe` and `probe_optimizer`, `step`,
`epoch_loss` (each rank's running loss of the interrupted epoch), `log_loss` and `log_steps`
(each rank's loss since the last log step, and how many steps: the next logged mean is the
uninterrupted one), `wall_time_s` (the run's wall time so far, every segment's), `rng` (torch CPU and CUDA,
python `random`, numpy; the views need none: they are re-seeded from (seed, rank, step)) and
`config`. Every value is a tensor or a plain type, so `torch.load(weights_only=True)` reads it.
Written atomically (temp file + fsync + rename), so a kill mid-save leaves the previous one intact.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import torch

from papernotes.core.atomic import atomic_write_bytes  # stdlib-only shared helper


def rng_state(aug_generator: torch.Generator | None) -> dict:
    np_state = np.random.get_state()
    state = {
        "torch": torch.get_rng_state(),
        "python": _py_state_to_plain(random.getstate()),
        "numpy": {"key": torch.from_numpy(np_state[1].astype(np.int64)), "pos": int(np_state[2]),
                  "has_gauss": int(np_state[3]), "gauss": float(np_state[4])},
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    if aug_generator is not None:
        state["aug"] = aug_generator.get_state()
    return state


def set_rng_state(state: dict, aug_generator: torch.Generator | None) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(_py_state_from_plain(state["python"]))
    n = state["numpy"]
    np.random.set_state(("MT19937", n["key"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["gauss"]))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if aug_generator is not None and "aug" in state:
        aug_generator.set_state(state["aug"])


def _py_state_to_plain(st: tuple) -> dict:
    version, internal, gauss = st
    return {"version": version, "internal": torch.tensor(internal, dtype=torch.int64), "gauss": gauss}


def _py_state_from_plain(d: dict) -> tuple:
    return (d["version"], tuple(int(v) for v in d["internal"].tolist()), d["gauss"])


def save_checkpoint(path: str | Path, state: dict) -> Path:
    buf = io.BytesIO()
    torch.save(state, buf)
    return atomic_write_bytes(path, buf.getvalue(), overwrite=True)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    return torch.load(Path(path), map_location=map_location, weights_only=True)
