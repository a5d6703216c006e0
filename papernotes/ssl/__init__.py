"""The self-supervised training engine: eight methods (SimCLR, MoCo v2, BYOL, Barlow Twins,
SwAV, DINO, MAE, RotNet) behind one training loop, with data on the device, batched views,
ResNet and ViT backbones, LARS/SGD/AdamW, DDP through torchrun, checkpoints that resume bitwise,
and the evaluation around pretraining (online probe, kNN, linear eval, fine-tuning).

Imports torch, torchvision and numpy only (no pydantic, no mlflow), so it runs on a bare GPU
image and can be reused on its own:

    python -m papernotes.ssl.pretrain --config run.json [--events events.jsonl] [--resume]
"""
