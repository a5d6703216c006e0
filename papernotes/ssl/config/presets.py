"""Named configurations. DEMO_CONFIG: the CPU demo (embedded data, a small ResNet-18, 32x32),
pretraining plus linear evaluation sized for a few minutes on a 2-core CPU; measured in
bench/results/engine.md (`python bench/bench_engine_cpu.py`)."""

from __future__ import annotations

from papernotes.ssl.config import (
                                   AugConfig,
                                   DataConfig,
                                   EvalConfig,
                                   ModelConfig,
                                   OptimConfig,
                                   PretrainConfig,
                                   TrainConfig,
)
from papernotes.ssl.registry import options_class

DEMO_CONFIG = PretrainConfig(
    method="simclr",
    method_cfg=options_class("simclr")(temperature=0.2),  # T=0.2 for a short run
    data=DataConfig(name="synthetic", image_size=32, num_train=4000, num_test=1000, num_classes=10, seed=0),
    # Standard stem (stride-2 conv + max-pool) and 16 base channels: ~1/50 of a CIFAR ResNet-18's FLOPs.
    model=ModelConfig(arch="resnet18", cifar_stem=False, base_channels=16, proj_depth=2, proj_dim=128),
    # Strong colour distortion (s=1, the paper's ImageNet value) and crops of >= 20% area: with
    # 32x32 shapes, 8% crops often miss the shape and s=0.5 leaves colour as a shortcut.
    aug=AugConfig(color_strength=1.0, crop_min_area=0.2, blur=False),
    # Official CIFAR-10 recipe values (lr 1.0, wd 1e-4); 1 warm-up epoch for a short run.
    optim=OptimConfig(name="lars", base_lr=1.0, lr_scaling="linear", weight_decay=1e-4, warmup_epochs=1.0),
    train=TrainConfig(epochs=30, batch_size=256, seed=0, device="cpu", precision="fp32",
                      channels_last=False, log_every=15, threads=2),
    eval=EvalConfig(linear_method="lbfgs", linear_epochs=10, monitor_every=10),
    out_dir="runs/simclr-demo",
)
