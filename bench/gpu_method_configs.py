"""The runs of bench_engine_gpu.py's sections 3 and 4, as engine config dicts: every method with
its default options at the CIFAR size (section 3), and each spec's own CIFAR-10 profile as
bench/export_gpu_profiles.py wrote it (section 4). Plain Python: the GPU machine has neither the
YAML nor the validation libraries."""

from __future__ import annotations

import glob
import json
import os


def method_configs(device, batch: int, base_channels: int) -> dict[str, dict]:
    """Section 3's runs: every registered method with its default options, ResNet-18 at the CIFAR
    size (MAE: ViT-Tiny on 4 px patches)."""
    from papernotes.ssl.methods import methods

    gpu = device.type == "cuda"
    out = {}
    for name in methods():
        raw = {"method": name, "data": {"num_train": max(4 * batch, 2048), "num_test": 256, "image_size": 32},
               "model": {"arch": "resnet18", "cifar_stem": True, "base_channels": base_channels},
               "train": {"epochs": 1000, "batch_size": batch},
               "eval": {"linear_method": "lbfgs", "linear_epochs": 1, "knn_k": 5}}
        if name == "mocov2":
            raw[name] = {"queue_size": 4 * batch}
        if name == "swav":  # the official 224/96 multi-crop at CIFAR size: 2 x 32 + 6 x 16
            raw[name] = {"size_crops": [32, 16]}
        if name == "dino":  # 2 x 32 global + 8 x 16 local; the official 65536-way head on the GPU only
            raw[name] = {"local_crops_size": 16, **({} if gpu else {"out_dim": 4096})}
        if name == "barlowtwins" and not gpu:  # the official 8192-8192-8192 makes a 1.1 GB checkpoint
            raw[name] = {"projector": "1024-1024-1024"}
        if name == "mae":  # MAE needs a ViT: ViT-Tiny with 4 px patches at the CIFAR size
            raw["model"] = {"arch": "vit_tiny", "patch_size": 4}
        out[name] = raw
    return out


def profile_configs(folder: str, smoke: bool = False) -> dict[str, dict]:
    """Section 4's runs: the specs' CIFAR-10 profiles as bench/export_gpu_profiles.py wrote them
    (this machine may lack the YAML and validation libraries), each on the embedded synthetic data
    at the same 32 px and 10 classes instead of CIFAR-10 (no network here; the step costs the
    same), with just enough images for one batch beyond its queue. `smoke`: batch 16, ResNets
    4 channels wide and queues of a few batches, for the CPU test of this script."""
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        raw, method = doc["config"], doc["config"]["method"]
        n = 16 if smoke else raw["train"]["batch_size"]
        if smoke:
            raw["train"] = {**raw["train"], "batch_size": n}
            if raw["model"]["arch"].startswith("resnet"):
                raw["model"] = {**raw["model"], "base_channels": 4}
            queue = {"mocov2": "queue_size", "swav": "queue_length"}.get(method)
            if queue:
                raw[method] = {**raw[method], queue: 4 * n}
        queued = max(raw.get("mocov2", {}).get("queue_size", 0), raw.get("swav", {}).get("queue_length", 0))
        raw["data"] = {**raw["data"], "name": "synthetic", "root": None, "download": False,
                       "num_train": max(2 * n, queued + n), "num_test": 256}
        out[f"{doc['spec']}/{doc['profile']}"] = raw
    return out
