"""Evaluation around pretraining: the per-epoch monitor (online probe + kNN) and the final
evaluation (kNN, linear evaluation of the SimCLR encoder and of a random-init encoder of the same
architecture, by the profile's protocol (`eval.linear_protocol`: the cached-feature fast path or
the official one, linear_official.py), reported side by side in out_dir/linear_eval.json; with eval.finetune_epochs, an
end-to-end fine-tune of each as well)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import torch
from torch import Tensor, nn

from papernotes.core.atomic import atomic_write_text  # stdlib-only shared helper
from papernotes.ssl.config import EvalConfig, PretrainConfig
from papernotes.ssl.data.datasets import DatasetTensors
from papernotes.ssl.evaluation.finetune import finetune
from papernotes.ssl.evaluation.knn import knn_top1
from papernotes.ssl.evaluation.linear import encode, evaluate_frozen
from papernotes.ssl.evaluation.linear_official import feature_encoder, official_linear_eval
from papernotes.ssl.models.encoders import build_encoder
from papernotes.ssl.views.augment import to_float

RANDOM_INIT_SEED_OFFSET = 1  # the baseline encoder is built with torch.manual_seed(train.seed + 1)


def input_fn(image_size: int) -> Callable[[Tensor], Tensor]:
    """Un-augmented evaluation input: float [0, 1], resized to the training view size if needed."""
    return lambda x: to_float(x, image_size)


def monitor(encoder: nn.Module, probe: nn.Module | None, data: DatasetTensors, cfg: EvalConfig,
            to_input: Callable[[Tensor], Tensor]) -> dict:
    """kNN top-1 on the test split (bank: the labelled training split) and the online probe's top-1."""
    train_f, test_f = encode(encoder, data.train_x, to_input), encode(encoder, data.test_x, to_input)
    out = {"monitor/knn_top1": knn_top1(train_f, data.train_y, test_f, data.test_y, data.num_classes,
                                        cfg.knn_k, cfg.knn_temperature)}
    if probe is not None:
        out["monitor/online_top1"] = probe.top1(test_f, data.test_y)
    return out


def _finetuner(data: DatasetTensors, cfg: PretrainConfig, to_input: Callable[[Tensor], Tensor],
               emit: Callable[[dict], None], progress):
    """eval.finetune_epochs > 0: a function (encoder, phase) -> the fine-tuning report; else None."""
    ec = cfg.eval
    if ec.finetune_epochs <= 0:
        return None
    bf16 = cfg.train.precision == "bf16" or (cfg.train.precision == "auto" and data.train_x.device.type == "cuda")

    def run(encoder: nn.Module, phase: str) -> dict:
        emit({"event": "phase", "name": phase, "total": ec.finetune_epochs * (data.train_x.shape[0] // min(
            ec.finetune_batch_size, data.train_x.shape[0]))})
        return finetune(encoder, data.train_x, data.train_y, data.test_x, data.test_y, data.num_classes, ec,
                        cfg.data.image_size, to_input, cfg.train.seed, bf16, progress(phase))

    return run


def final_evaluation(encoder: nn.Module, data: DatasetTensors, cfg: PretrainConfig,
                     to_input: Callable[[Tensor], Tensor], emit: Callable[[dict], None],
                     out_dir: Path | None) -> dict:
    """kNN, linear eval, random-init linear eval; writes linear_eval.json when out_dir is given."""
    ec, n = cfg.eval, data.train_x.shape[0] + data.test_x.shape[0]

    def progress(phase: str):
        return lambda done, total: emit({"event": "progress", "phase": phase, "done": done, "total": total})

    emit({"event": "phase", "name": "knn_eval", "total": n})
    knn = monitor(encoder, None, data, ec, to_input)["monitor/knn_top1"]
    emit({"event": "phase", "name": "linear_eval", "total": n})
    args = (data.train_x, data.train_y, data.test_x, data.test_y, data.num_classes, ec, to_input, cfg.train.seed)

    def linear(enc: nn.Module, phase: str) -> dict:
        if ec.linear_protocol == "official":
            return official_linear_eval(enc, data, cfg, to_input, cfg.train.seed, progress(phase))
        return evaluate_frozen(feature_encoder(enc, ec.linear_last_blocks), *args, progress=progress(phase))

    simclr = linear(encoder, "linear_eval")
    report = {"protocol": ec.linear_protocol, "method": ec.linear_method, "epochs": ec.linear_epochs,
              "lr": ec.linear_lr, "batch_size": ec.linear_batch_size, "weight_decay": ec.linear_weight_decay,
              "features": "un-augmented images, frozen encoder, standardised with training mean/std",
              "dataset": {"name": data.name, "fingerprint": data.fingerprint,
                          "num_train": int(data.train_x.shape[0]), "num_test": int(data.test_x.shape[0])},
              "simclr": simclr, "knn_top1": knn}
    if ec.linear_bn:
        report["features"] = "un-augmented images, frozen encoder, BatchNorm1d(affine=False, eps=1e-6) before the linear layer"
    if ec.linear_protocol == "official":
        report["features"] = ("RandomResizedCrop(0.08-1) + flip of the training split every epoch, frozen encoder "
                              "(eval mode)" + (", BatchNorm1d(affine=False)" if ec.linear_bn else "")
                              + ("; scored on the eval transform (Resize 256/224 x side + CenterCrop)"
                                 if getattr(data, "streamed", False) else "; scored on the whole test images"))
    if ec.linear_last_blocks > 1:
        report["features"] += f"; class tokens of the last {ec.linear_last_blocks} blocks concatenated"
    metrics = {"eval/linear_top1": simclr["top1"], "eval/linear_top5": simclr["top5"], "eval/knn_top1": knn}
    fine_tune = _finetuner(data, cfg, to_input, emit, progress)
    if fine_tune is not None:
        report["finetune"] = fine_tune(encoder, "finetune")
        metrics["eval/finetune_top1"] = report["finetune"]["top1"]
        metrics["eval/finetune_top5"] = report["finetune"]["top5"]
    if ec.random_init_baseline:
        emit({"event": "phase", "name": "random_init_eval", "total": n})
        torch.manual_seed(cfg.train.seed + RANDOM_INIT_SEED_OFFSET)
        random_enc, _ = build_encoder(cfg.model, cfg.data.image_size)
        random_enc = random_enc.to(data.train_x.device)
        baseline = linear(random_enc, "random_init_eval")
        report["random_init"] = {**baseline, "seed": cfg.train.seed + RANDOM_INIT_SEED_OFFSET}
        metrics["eval/random_init_linear_top1"] = baseline["top1"]
        metrics["eval/random_init_linear_top5"] = baseline["top5"]
        if fine_tune is not None:  # the same recipe from the random init: training from scratch
            report["random_init"]["finetune"] = fine_tune(random_enc, "random_init_finetune")
            metrics["eval/random_init_finetune_top1"] = report["random_init"]["finetune"]["top1"]
            metrics["eval/random_init_finetune_top5"] = report["random_init"]["finetune"]["top5"]
    path = None
    if out_dir is not None:
        path = out_dir / "linear_eval.json"
        atomic_write_text(path, json.dumps(report, indent=2) + "\n", overwrite=True)
    emit({"event": "eval", "metrics": metrics, "report": str(path) if path else None,
          "protocol": ec.linear_protocol})
    return metrics
