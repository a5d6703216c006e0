"""A user method on two CPU ranks (torchrun, gloo): every rank loads the file the launch pinned
and trains; a bug on one rank only, or a file a rank cannot find, is one line naming the file
(and the rank), exit 2, never a hang."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from papernotes.repro.launch.layout import LAUNCH_CONFIG, USER_ERROR

from .conftest import NOTE, tiny_args
from .test_repro_launch import papernotes, runs_of
from .test_user_methods import user_file

RANKED = '''import torch.distributed as dist

from papernotes.ssl.methods import SimCLR, register_method


@register_method("simclr_ranked")
class SimCLRRanked(SimCLR):
    def forward(self, views, step):
        if step == 1 and dist.is_initialized() and dist.get_rank() == 1:
            raise RuntimeError("only rank 1 breaks")
        return super().forward(views, step)
'''


@pytest.mark.slow  # two torchrun launches of 2 CPU ranks: ~90 s on the shared 2-core machine
def test_two_ranks_load_the_user_method_and_a_bug_on_one_rank_is_one_line(ws):
    path = user_file(ws)
    proc = papernotes("repro", "simclr", "--profile", "demo", "--device", "cpu", "--nproc-per-node", "2",
                      *tiny_args(), "--set", "method=simclr_user", cwd=ws)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out
    _, (run,) = runs_of(ws)
    assert run.info.status == "FINISHED" and run.data.params["world_size"] == "2"
    assert run.data.tags["papernotes.code.simclr_user.py"] and run.data.params["method"] == "simclr_user"
    note = (ws / "notes" / "simclr.md").read_bytes()

    ranked = path.with_name("ranked.py")
    ranked.write_text(RANKED, encoding="utf-8")
    t0 = time.monotonic()
    proc = papernotes("repro", "simclr", "--profile", "demo", "--device", "cpu", "--nproc-per-node", "2",
                      *tiny_args(), "--set", "method=simclr_ranked", cwd=ws)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 2, out
    assert f"error: {ranked.resolve()}:10: RuntimeError: only rank 1 breaks (on rank 1)" in out.splitlines()
    assert time.monotonic() - t0 < 240  # the other rank was stopped, not left waiting
    assert (ws / "notes" / "simclr.md").read_bytes() == note
    _, runs = runs_of(ws)
    assert sorted(r.info.status for r in runs) == ["FAILED", "FINISHED"]


@pytest.mark.slow  # one torchrun launch whose ranks cannot find the pinned file: ~30 s
def test_a_pinned_file_missing_where_the_ranks_run_is_an_error_not_a_hang(ws, tmp_path):
    path = user_file(ws)
    from papernotes.core.workspace import find_workspace
    from papernotes.repro.run.runner import ReproOptions, prepare
    from papernotes.ssl.config import config_to_dict

    res, _, _ = prepare(ReproOptions(name="simclr", profile="demo", device="cpu",
                                     overrides=("method=simclr_user", *tiny_args()[1::2])), find_workspace(ws))
    raw = config_to_dict(res.config)
    raw["out_dir"] = str(tmp_path / "run")
    raw["code"][0]["path"] = str(tmp_path / "elsewhere" / path.name)  # as on a node without the file
    config = tmp_path / LAUNCH_CONFIG
    config.write_text(json.dumps(raw), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node=2", "--standalone",
                           "-m", "papernotes.ssl.pretrain", "--config", str(config), "--quiet"],
                          capture_output=True, text=True, timeout=240, cwd=ws)
    assert proc.returncode != 0
    # each rank: one line (torchrun's own ChildFailedError report follows; no papernotes frame)
    assert "the file is missing on this machine" in proc.stderr and "papernotes/ssl/" not in proc.stderr
    err = json.loads((tmp_path / USER_ERROR).read_text(encoding="utf-8"))
    assert err["path"].endswith("elsewhere/simclr_user.py") and "missing" in err["message"]
    assert (ws / "notes" / "simclr.md").read_bytes() == NOTE.encode("utf-8")
