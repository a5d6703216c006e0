"""The identity of a training run's result: a hash of everything in its config that can change it.

Two runs with the same hash (and seed, which the config holds) are the same experiment, so a
finished one is reused instead of trained again (`papernotes idea run`). The hash is the sha256
of the canonical JSON (sorted keys, no spaces) of `config_to_dict(cfg)` plus the number of
processes, without the fields that only say where to write or how often to log:

- `out_dir`: where the files go;
- `train.log_every`, `train.checkpoint_every`: how often events and checkpoints are written
  (neither touches the random streams or the arithmetic);
- `train.threads`: how many CPU threads the arithmetic is split over. Summation order can move
  the last bits of a float, as it does between any two runs that are not `deterministic`; the
  experiment is the same, and `--parallel` changes the thread count per arm.

Kept in, because they change results: the seed, the device (cpu/cuda differ in kernels and in
`precision: auto`), the precision, `deterministic`, `sync_bn`, `compile`, `channels_last`, every
data/model/aug/optim/eval/method field, and the world size (the global batch is split over the
ranks, and CPU ranks keep per-rank BatchNorm statistics).

The user's code is in the hash: a method or backbone from the workspace's `repro/methods/`
adds `code`, each file's name and the sha256 of the bytes that ran (`code_pins`), so editing
the file makes a new experiment and restoring it makes the old runs reusable again (the file's
folder is left out: a moved workspace reuses its runs). The built-in methods add nothing, and
papernotes' own code is not in the hash: after changing the engine, rerun with `--no-reuse`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from papernotes.ssl.config import PretrainConfig, config_to_dict

RESULT_NEUTRAL = ("out_dir", "train.log_every", "train.checkpoint_every", "train.threads")


def hashed_fields(cfg: PretrainConfig, world_size: int) -> dict:
    """The mapping the hash is taken of."""
    data = config_to_dict(cfg)
    for dotted in RESULT_NEUTRAL:
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node[part]
        node.pop(last, None)
    data["world_size"] = world_size
    code = data.pop("code", None)
    if code:
        data["code"] = {Path(c["path"]).name: c["sha256"] for c in code}
    return data


def code_pins(cfg: PretrainConfig) -> dict[str, str]:
    """{file name: sha256} of the user's files the run executes (none for a built-in method)."""
    return {Path(c["path"]).name: c["sha256"] for c in config_to_dict(cfg).get("code", [])}


def code_files(cfg: PretrainConfig) -> list[Path]:
    """The user's files the run executes (their paths), to log as artifacts."""
    return [Path(c["path"]) for c in config_to_dict(cfg).get("code", [])]


def config_hash(cfg: PretrainConfig, world_size: int = 1) -> str:
    text = json.dumps(hashed_fields(cfg, world_size), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()
