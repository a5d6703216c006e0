"""bench/bench_engine_gpu.py runs end to end on CPU with --smoke and reports sane numbers."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_gpu_bench_smoke_on_cpu(tmp_path):
    out = tmp_path / "gpu.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_engine_gpu.py"), "--smoke", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    cifar, imagenet = res["cifar"], res["imagenet"]
    assert cifar["pairs_per_s"] > 0 and cifar["baseline_pil_dataloader_pairs_per_s"] > 0
    assert cifar["speedup_vs_baseline"] == pytest.approx(cifar["pairs_per_s"] / cifar["baseline_pil_dataloader_pairs_per_s"])
    # ResNet-18 CIFAR stem: ~0.56 GFLOP forward per 32x32 image, x3 for fwd+bwd, 2 views of 16 images
    assert 0.5 * 3 * 0.56e9 * 32 < cifar["flops_per_step"] < 2 * 3 * 0.56e9 * 32
    assert 0 < cifar["mfu"] < 1 and 0 < imagenet["mfu"] < 1 and imagenet["pairs_per_s"] > 0
    from papernotes.ssl.methods import METHODS

    assert set(res["methods"]) == set(METHODS)
    for name, m in res["methods"].items():
        assert m["pairs_per_s"] > 0 and m["flops_per_step"] > 0 and 0 < m["views_share_of_step"], name
