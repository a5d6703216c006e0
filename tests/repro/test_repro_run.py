"""`papernotes repro` end to end with the real engine (tiny config) and a real SQLite store."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import torch
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.format.regions import region_body
from papernotes.repro.launch.layout import CHECKPOINT, CURVES, LAUNCH_CONFIG, LINEAR_EVAL, RESOLVED_SPEC
from papernotes.repro.results.writeback import existing_runs

from .conftest import NOTE, free_port, tiny_args


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def runs_of(root: Path):
    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
    exp = client.get_experiment_by_name("simclr")
    return client, ([] if exp is None else client.search_runs([exp.experiment_id]))


@pytest.mark.slow  # two real launches: ~45 s on the shared 2-core machine
def test_tiny_run_is_one_finished_mlflow_run_and_lands_in_the_note(ws, monkeypatch):
    from papernotes.cli import console as console_mod

    monkeypatch.setattr(console_mod.console, "width", 240)  # table cells unwrapped
    result = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args())
    assert result.exit_code == 0, result.output
    client, runs = runs_of(ws)
    assert len(runs) == 1
    run = runs[0]
    rid = run.info.run_id
    assert run.info.status == "FINISHED"
    p, m, t = run.data.params, run.data.metrics, run.data.tags
    assert (p["world_size"], p["train.batch_size"], p["model.base_channels"]) == ("1", "32", "8")
    assert p["spec"] == "simclr" and p["profile"] == "demo" and p["aug.color_strength"] == "1.0"
    for key in ("eval/linear_top1", "eval/linear_top5", "eval/knn_top1", "eval/random_init_linear_top1"):
        assert 0.0 <= m[key] <= 100.0
    assert m["eval/linear_top5"] >= m["eval/linear_top1"]
    assert {"train/loss", "train/lr", "train/pairs_per_s"} <= set(m)
    assert len(client.get_metric_history(rid, "train/loss")) == 2  # max_steps=2, log_every=1
    assert t["papernotes.spec"] == "simclr" and t["papernotes.profile"] == "demo"
    assert t["papernotes.note"] == "simclr" and t["torch"] == torch.__version__
    assert len(t["dataset.fingerprint"]) >= 8 and t["hardware"]
    artifacts = {a.path for folder in ("spec", "plots", "eval", "checkpoints")
                 for a in client.list_artifacts(rid, folder)}
    assert artifacts == {f"spec/{RESOLVED_SPEC}", f"plots/{CURVES}", f"eval/{LINEAR_EVAL}", CHECKPOINT}
    assert (ws / "mlartifacts" / "simclr").is_dir()
    # the UI opens the experiment on its runs; the data set is an input; the run describes itself
    assert client.get_experiment_by_name("simclr").tags["mlflow.experimentKind"] == "custom_model_development"
    (used,) = client.get_run(rid).inputs.dataset_inputs
    assert (used.dataset.name, used.dataset.digest, used.dataset.source_type) == (
        "synthetic", t["dataset.fingerprint"], "code")
    assert [tag.value for tag in used.tags] == ["train"]
    about = t["mlflow.note.content"]
    assert about.startswith(f"[[simclr]] simclr/demo: linear top-1 {m['eval/linear_top1']:.2f} (n=1)")
    assert "\n\npaper top-1 " in about and ("protocol: " in about or "unexplained" in about)
    assert "ledger.json" in {a.path for a in client.list_artifacts(rid)}
    text = (ws / "notes" / "simclr.md").read_bytes().decode("utf-8")
    assert text.startswith(NOTE)
    rows, embeds = existing_runs(region_body(text, "repro"))
    assert len(rows) == 1 and rid in rows[0] and f"{m['eval/linear_top1']:.2f}" in rows[0]
    png = ws / embeds[0][3:-2]
    assert png.read_bytes()[:4] == b"\x89PNG"
    # a second launch is a second run and a second row; `runs` lists both
    assert invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args()).exit_code == 0
    _, runs = runs_of(ws)
    text2 = (ws / "notes" / "simclr.md").read_bytes().decode("utf-8")
    assert len(runs) == 2 and len(existing_runs(region_body(text2, "repro"))[0]) == 2
    assert text2.startswith(NOTE)
    listing = invoke("runs", "simclr")
    assert listing.exit_code == 0 and rid[:8] in listing.output and "FINISHED" in listing.output


def test_engine_error_fails_the_run_and_keeps_the_note(ws):
    result = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", *tiny_args(),
                    "--set", "data.name=cifar10", "--set", f"data.root={ws / 'nope'}")
    assert result.exit_code == 2
    assert "error:" in result.output and "Traceback" not in result.output
    assert (ws / "notes" / "simclr.md").read_bytes() == NOTE.encode("utf-8")
    _, runs = runs_of(ws)
    assert [r.info.status for r in runs] == ["FAILED"]


def written(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if not str(p.relative_to(root)).startswith(("templates", "repro"))}


def test_dry_run_prints_torchrun_and_srun_and_writes_nothing(ws):
    before = written(ws)
    result = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu",
                    "--nproc-per-node", "2", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "-m torch.distributed.run --nproc-per-node=2 --standalone -m papernotes.ssl.pretrain" in out
    assert "srun --nodes=1" in out and LAUNCH_CONFIG in out
    # what runs as shown is the papernotes command; the torchrun/srun lines are an outline, and
    # say so (their RUN_ID folder and launch config exist only once the run opens)
    lines = out.splitlines()
    assert "to run it: papernotes repro simclr --profile demo --device cpu --nproc-per-node 2" in lines
    assert any(line.startswith("outline of what it launches") for line in lines)
    assert "<new run id>" not in out and "RUN_ID: its MLflow run's id, known once it opens" in out
    multi = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu", "--nproc-per-node",
                   "2", "--nnodes", "2", "--node-rank", "1", "--rdzv-endpoint", "10.0.0.1:29400",
                   "--dry-run")
    assert multi.exit_code == 0, multi.output
    assert "--rdzv-backend=c10d --rdzv-endpoint=10.0.0.1:29400" in multi.output
    assert "srun --nodes=2" in multi.output and "world_size 4" in multi.output
    assert written(ws) == before


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_gpus_without_cuda_fails_before_anything_starts(ws):
    before = written(ws)
    result = invoke("repro", "simclr", "--profile", "demo", "--gpus", "2")
    assert result.exit_code == 2 and "CUDA is not available" in result.output
    assert written(ws) == before
    # a dry run (e.g. on a SLURM login node) only notes it and still prints the commands
    dry = invoke("repro", "simclr", "--profile", "resnet50", "--gpus", "8", "--nnodes", "2",
                 "--rdzv-endpoint", "node0:29400", "--dry-run")
    assert dry.exit_code == 0 and "CUDA is not available" in dry.output
    # GPUs the profile asks for are the profile's, not a --gpus nobody gave
    plain = invoke("repro", "simclr", "--dry-run")
    assert plain.exit_code == 0, plain.output
    assert "note: --gpus: profile resnet18's gpus: 1 asked but CUDA" in " ".join(plain.output.split())
    assert "--gpus 1 asked" not in plain.output
    assert "--nproc-per-node=8 --nnodes=2 --node-rank=0 --rdzv-backend=c10d" in dry.output
    assert "srun --nodes=2 --ntasks-per-node=1 --gres=gpu:8" in dry.output and "head -n1):29400" in dry.output
    assert written(ws) == before


def test_port_in_use_and_unreachable_server_fail_before_anything_starts(ws):
    before = written(ws)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu",
                        "--nproc-per-node", "2", "--master-port", str(port))
    assert result.exit_code == 2 and f"port {port}" in result.output and "in use" in result.output
    result = invoke("repro", "simclr", "--profile", "demo", "--device", "cpu",
                    "--tracking-uri", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 2 and "unreachable" in result.output
    assert written(ws) == before


def test_bad_override_is_one_line_naming_the_field(ws):
    result = invoke("repro", "simclr", "--profile", "demo", "--set", "train.epochs=lots")
    assert result.exit_code == 2
    assert "train.epochs: expected an integer" in result.output and len(result.output.strip().splitlines()) == 1
    result = invoke("repro", "simclr", "--profile", "nope")
    assert result.exit_code == 2 and "no profile named 'nope'" in result.output


def test_save_never_writes_on_a_dry_run_or_a_bad_value(ws):
    # the bytes of an edit are tested in test_repro_spec_save.py
    spec = ws / "repro" / "simclr.yaml"
    before = spec.read_bytes()
    result = invoke("repro", "simclr", "--profile", "demo", "--set", "train.epochs=4",
                    "--set", "eval.knn_k=7", "--save", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+      epochs: 4 " in result.output and "+      knn_k: 7" in result.output
    bad = invoke("repro", "simclr", "--profile", "demo", "--set", "train.epochs=0", "--save",
                 "--dry-run")
    assert bad.exit_code == 2 and spec.read_bytes() == before


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_device_cuda_without_cuda_fails_before_anything_starts(ws):
    before = written(ws)
    result = invoke("repro", "simclr", "--profile", "demo", "--device", "cuda")
    assert result.exit_code == 2, result.output
    assert result.output.strip() == ("error: --device: device cuda asked but CUDA is not "
                                     "available on this machine (use --device cpu)")
    assert written(ws) == before and runs_of(ws)[1] == []  # no folder, no MLflow run
    from_spec = invoke("repro", "simclr", "--profile", "demo", "--set", "train.device=cuda")
    assert from_spec.exit_code == 2 and "train.device: device cuda" in from_spec.output


def test_runs_of_an_unknown_name_says_so(ws):
    unknown = invoke("runs", "simclrr")
    assert unknown.exit_code == 2
    assert unknown.output.strip() == ("error: runs: no repro spec or note named 'simclrr' "
                                      "(did you mean simclr, simclr-imagenet?)")
    known = invoke("runs", "simclr-imagenet")
    assert known.exit_code == 0 and "no runs of simclr-imagenet yet" in known.output
