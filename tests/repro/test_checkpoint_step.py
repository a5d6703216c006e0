"""`repro --resume` says the step it continues from without loading torch, from the engine's
`last.json`; a kill between writing the checkpoint and its `last.json` (seen once in CI: "at step
3" said of a checkpoint at step 6) must not make it say a wrong step."""

from __future__ import annotations

import json

import torch

from papernotes.repro.launch.layout import checkpoint_file, checkpoint_step


def _checkpoint(folder, step):
    path = checkpoint_file(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"step": step}, path)
    return path


def test_the_step_is_read_from_last_json_when_it_is_the_checkpoint_s(tmp_path):
    path = _checkpoint(tmp_path, 6)
    made = path.stat()
    path.with_suffix(".json").write_text(json.dumps({"step": 6, "size": made.st_size,
                                                    "mtime_ns": made.st_mtime_ns}))
    assert checkpoint_step(tmp_path) == 6


def test_a_stale_last_json_is_not_believed(tmp_path):
    path = _checkpoint(tmp_path, 3)
    made = path.stat()
    path.with_suffix(".json").write_text(json.dumps({"step": 3, "size": made.st_size,
                                                    "mtime_ns": made.st_mtime_ns}))
    _checkpoint(tmp_path, 6)  # the next checkpoint, killed before its last.json
    assert checkpoint_step(tmp_path) == 6
    path.with_suffix(".json").write_text(json.dumps({"step": 3}))  # an older engine's
    assert checkpoint_step(tmp_path) == 6
    assert checkpoint_step(tmp_path / "none") == 0
