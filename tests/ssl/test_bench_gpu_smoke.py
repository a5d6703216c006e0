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
    from papernotes.ssl.methods import methods

    builtin = {n for n, cls in methods().items() if cls.__module__.startswith("papernotes.ssl.methods.")}
    assert set(res["methods"]) == builtin  # (other tests of this process register user methods)
    for name, m in res["methods"].items():
        assert m["pairs_per_s"] > 0 and m["flops_per_step"] > 0 and 0 < m["views_share_of_step"], name


def test_the_exported_cifar_profiles_match_the_specs(tmp_path):
    """bench/gpu_profiles is what bench/export_gpu_profiles.py writes from repro/*.yaml now: a
    spec whose CIFAR-10 profile changed without a new export fails here."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "export_gpu_profiles.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    fresh = {p.name: p.read_text() for p in tmp_path.glob("*.json")}
    committed = {p.name: p.read_text() for p in (ROOT / "bench" / "gpu_profiles").glob("*.json")}
    assert fresh == committed
    assert sorted(fresh) == ["barlowtwins.json", "byol.json", "dino.json", "mae.json", "mocov2.json",
                             "rotnet.json", "simclr.json", "swav.json"]
    assert json.loads(fresh["simclr.json"])["profile"] == "resnet18"


@pytest.mark.slow
def test_gpu_bench_times_each_specs_cifar_profile_on_cpu():
    import torch

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_engine_gpu as bench
    finally:
        sys.path.remove(str(ROOT / "bench"))
    res = bench.bench_methods(bench.profile_configs(str(ROOT / "bench" / "gpu_profiles"), smoke=True),
                              torch.device("cpu"), 2, 0)
    assert sorted(res) == ["barlowtwins/resnet18", "byol/resnet18", "dino/cifar10", "mae/cifar10",
                           "mocov2/resnet18", "rotnet/cifar10", "simclr/resnet18", "swav/cifar10"]
    for name, m in res.items():
        assert "error" not in m, (name, m)
        assert m["batch"] == 16 and m["pairs_per_s"] > 0 and m["flops_per_step"] > 0, name
        assert 0 < m["views_share_of_step"] < 1, name
    assert res["mae/cifar10"]["arch"] == "vit_tiny"
    # SwAV's CIFAR profile: 2 x 32 px + 6 x 18 px crops (repro/swav.yaml cifar10)
    assert [v[2] for v in res["swav/cifar10"]["views"]] == [32, 32] + [18] * 6
    assert len(res["rotnet/cifar10"]["views"]) == 4
