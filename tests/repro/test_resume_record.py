"""A resumed run is what it ran (issue 23): it continues the config its folder records whatever
the spec says now, refuses a `--set` that would change it, keeps its config hash, and its record
(loss history, wall time) equals an uninterrupted run's. Real runs, a real SIGINT."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.repro.launch.layout import LAUNCH_CONFIG, checkpoint_file
from papernotes.repro.run.recorded import differences
from papernotes.repro.spec.config_hash import config_hash
from papernotes.repro.tracking import tags
from papernotes.ssl.config import config_from_dict

from .conftest import TINY

RUN = tuple(x for x in TINY if not x.startswith(("train.max_steps", "train.epochs", "train.log_every")))
RUN += ("train.epochs=6", "train.log_every=3", "train.checkpoint_every=1")


def sets(items) -> list[str]:
    return [w for x in items for w in ("--set", x)]


def test_values_not_types_are_compared():
    recorded = {"optim": {"betas": [0.9, 0.999]}, "aug": {"blur_prob": []}, "train": {"threads": 1}}
    now = {"optim": {"betas": (0.9, 0.999)}, "aug": {"blur_prob": ()}, "train": {"threads": 2}}
    assert differences(recorded, now) == {}  # list vs tuple is no change; threads change no result
    assert differences(recorded, {**now, "optim": {"betas": (0.9, 0.99)}}) == {
        "optim.betas": ([0.9, 0.999], [0.9, 0.99])}


def interrupt_when_checkpointed(base: Path, after_step: int) -> threading.Thread:
    """Ctrl-C to this process (the engine's handler, in the main thread) once a run under `base`
    has a checkpoint past `after_step`."""
    def watch():
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            for f in base.glob(f"*/{LAUNCH_CONFIG}") if base.is_dir() else []:
                ckpt = checkpoint_file(f.parent)
                if ckpt.is_file():
                    import torch

                    try:
                        step = torch.load(ckpt, weights_only=True)["step"]
                    except Exception:  # noqa: BLE001 - being replaced as we read it
                        continue
                    if step >= after_step:
                        os.kill(os.getpid(), signal.SIGINT)
                        return
            time.sleep(0.02)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow  # two tiny real runs in-process and a resume: ~30 s on the shared 2-core machine
def test_a_resume_continues_what_the_run_ran_and_records_it_as_if_uninterrupted(ws):
    from papernotes.repro.run.runner import Interrupted, ReproOptions, run_repro

    base = ws / "runs" / "simclr-demo"
    watcher = interrupt_when_checkpointed(base, 5)  # step 5 of 24: mid-epoch, mid log window
    with pytest.raises(Interrupted) as info:
        run_repro(ReproOptions("simclr", "demo", RUN, device="cpu"), echo=lambda s: None)
    watcher.join(timeout=5)
    run_id = info.value.message.split("MLflow run ")[1].split()[0]
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    first = client.get_run(run_id)
    assert first.info.status == "KILLED"
    ran_hash = first.data.tags[tags.CONFIG_HASH]
    stopped = max(m.step for m in client.get_metric_history(run_id, "train/loss"))
    # the spec changes meanwhile: the profile's temperature, and its epochs (left off the --set)
    spec = ws / "repro" / "simclr.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("temperature: 0.2 ", "temperature: 0.3 "), encoding="utf-8")
    assert spec.read_text(encoding="utf-8") != text
    note_before = (ws / "notes" / "simclr.md").read_bytes()

    # a --set that changes the run is refused in one line naming the field, nothing touched
    changed = [x for x in RUN if not x.startswith("train.epochs")] + ["train.epochs=2"]
    refused = CliRunner().invoke(app, ["repro", "simclr", "--profile", "demo", "--device", "cpu",
                                       *sets(changed), "--resume"])
    assert refused.exit_code == 2, refused.output
    assert refused.output.strip() == (
        f"error: --resume: run {run_id[:8]} ran with train.epochs=6 (asked: 2): a resume continues "
        "the config it ran (leave out what changes it, or start a new run without --resume)")
    assert client.get_run(run_id).info.status == "KILLED"

    # without any --set it continues the recorded run: 6 epochs, temperature 0.2
    lines: list[str] = []
    resumed = run_repro(ReproOptions("simclr", "demo", (), device="cpu", resume=True),
                        echo=lines.append)
    assert resumed.run_id == run_id and resumed.status == "FINISHED"
    said = " ".join(lines)
    assert "with the config it ran" in said and "simclr.temperature=0.2->0.3" in said
    assert "train.epochs=6->30" in said
    done = client.get_run(run_id)
    recorded = json.loads((base / run_id / LAUNCH_CONFIG).read_text(encoding="utf-8"))
    assert recorded["train"]["epochs"] == 6 and recorded["simclr"]["temperature"] == 0.2
    assert done.data.params["train.epochs"] == "6" and done.data.params["simclr.temperature"] == "0.2"
    assert done.data.tags[tags.CONFIG_HASH] == ran_hash == config_hash(config_from_dict(recorded))
    assert note_before != (ws / "notes" / "simclr.md").read_bytes()
    row = [ln for ln in (ws / "notes" / "simclr.md").read_text(encoding="utf-8").splitlines()
           if run_id[:8] in ln][0]
    assert "| 6 |" in row  # the note's epochs are what the run ran

    # an uninterrupted run of the same config: the same points, one per step
    spec.write_text(text, encoding="utf-8")
    again = run_repro(ReproOptions("simclr", "demo", RUN, device="cpu"), echo=lambda s: None)
    assert client.get_run(again.run_id).data.tags[tags.CONFIG_HASH] == ran_hash

    def history(rid, key="train/loss"):
        return [(m.step, m.value) for m in sorted(client.get_metric_history(rid, key),
                                                  key=lambda m: m.step)]

    ours, theirs = history(run_id), history(again.run_id)
    # log steps every 3, epoch ends every 4: each step once, the values of the uninterrupted run
    assert [s for s, _ in ours] == sorted(set(range(3, 25, 3)) | set(range(4, 25, 4)))
    assert ours == theirs and stopped < 24
    # wall time: every segment summed, not the last one alone
    walls = history(run_id, "time/wall_s")
    assert len(walls) == 2 and walls[1][1] > walls[0][1] > 0
    assert done.data.metrics["time/wall_s"] == walls[1][1]
