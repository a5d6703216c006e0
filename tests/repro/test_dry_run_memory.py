"""`repro simclr-imagenet --gpus 8 --dry-run`: per-rank host and device memory estimates that do
not depend on the data set's size (the dry run reads no image; the streamed path holds none)."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.ssl.config import config_from_dict
from papernotes.ssl.memory import GiB, estimate
from tests.ssl.jpeg_folder import write_jpeg_folder


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _memory_lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith("memory per rank (estimate)")]


def test_dry_run_prints_per_rank_memory_independent_of_the_data_set(ws, tmp_path):
    small = write_jpeg_folder(tmp_path / "small", classes=2, train_per_class=2)
    large = write_jpeg_folder(tmp_path / "large", classes=4, train_per_class=12)
    outs = []
    for root in (small, large):
        result = invoke("repro", "simclr-imagenet", "--gpus", "8", "--set", f"data.root={root}", "--dry-run")
        assert result.exit_code == 0, result.output
        outs.append(_memory_lines(result.output))
    assert outs[0] == outs[1] and len(outs[0]) == 2
    gpu, host = outs[0]
    assert gpu.startswith("memory per rank (estimate): GPU ") and "activations" in gpu and "ddp buckets" in gpu
    assert "host" in host and "loader" in host and "does not grow with the data set" in host
    total = float(re.search(r"GPU ([0-9.]+) GiB", gpu).group(1))
    assert 20 < total < 80  # ResNet-50, 512 images x 2 views of 224 a GPU, bf16: tens of GiB, fits an H100


def test_estimate_parts_follow_the_config():
    base = {"method": "simclr", "data": {"name": "imagefolder", "root": "x", "image_size": 224, "workers": 4},
            "model": {"arch": "resnet50", "cifar_stem": False}, "train": {"batch_size": 4096}}
    one = estimate(config_from_dict(base), 8, "cuda")
    half = estimate(config_from_dict({**base, "train": {"batch_size": 2048}}), 8, "cuda")
    assert abs(one.device["activations"] / half.device["activations"] - 2) < 1e-9
    assert one.device["parameters"] == half.device["parameters"]
    # ResNet-50 + the 2-layer head: ~28 M fp32 parameters, ~0.1 GiB
    assert 0.08 * GiB < one.device["parameters"] < 0.13 * GiB
    cifar = estimate(config_from_dict({**base, "data": {"name": "cifar10", "root": "x", "image_size": 32}}), 1, "cpu")
    assert cifar.device["data set"] == 60_000 * 3 * 32 * 32 and not cifar.streamed
