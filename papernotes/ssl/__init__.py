"""The SimCLR training engine: data on the device, batched augmentations, ResNet encoders,
projection head, NT-Xent, LARS, DDP through torchrun, online probe, kNN monitor, linear eval.

Imports torch, torchvision and numpy only (no pydantic, no mlflow), so it runs on a bare GPU
image and can be reused on its own:

    python -m papernotes.ssl.pretrain --config run.json [--events events.jsonl] [--resume]
"""
