"""Our run's protocol as the ledger reads a card's (notes/sources/card_results.Protocol): the
data set, backbone and stem, pretraining epochs and batch, image size, and the evaluation behind
the headline number (linear on frozen features, `eval.linear_epochs`).

Reference: the catalog cards' `protocol:` blocks, which state the same fields for a paper's and
the reimplementations' numbers.
"""

from __future__ import annotations

from papernotes.notes.sources.card_results import Protocol
from papernotes.ssl.config import PretrainConfig


def our_protocol(cfg: PretrainConfig, dataset: str | None = None) -> Protocol:
    """The protocol of a run of `cfg` (`dataset`: the name its start event gave the data)."""
    resnet = cfg.model.arch.startswith("resnet")
    return Protocol(dataset=dataset or cfg.data.name, backbone=cfg.model.arch,
                    epochs=cfg.train.epochs, batch=cfg.train.batch_size, eval="linear",
                    eval_epochs=cfg.eval.linear_epochs,
                    stem=("cifar" if cfg.model.cifar_stem else "imagenet") if resnet else None,
                    image_size=cfg.data.image_size)
