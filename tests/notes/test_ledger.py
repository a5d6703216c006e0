"""The ledger: our protocol against each reference's, the differences spelled out, a gap classed
as `protocol` or `unexplained`."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from papernotes.notes.ledger import differences, ledger
from papernotes.notes.sources.card_results import Protocol, Result
from papernotes.notes.sources.catalog import load_card

OURS_CIFAR_KNN = {"dataset": "CIFAR-10", "backbone": "resnet18", "epochs": 100, "batch": 256,
                  "eval": "knn", "knn_k": 200, "stem": "cifar", "image_size": 32, "views": "2x32"}


def _result(by="lightly", value=80.0, metric="top-1", variant="", **protocol) -> Result:
    base = {"dataset": "CIFAR-10", "backbone": "ResNet-18", "epochs": 100, "batch": 256, "eval": "knn",
            "knn_k": 200}
    where = "https://arxiv.org/abs/2002.05709" if by == "paper" else "lightly-ai/lightly:x.rst@e8d317f"
    return Result.model_validate({"by": by, "metric": metric, "value": value, "variant": variant,
                                  "protocol": {**base, **protocol}, "source": {"where": where, "at": "L1"}})


def test_mocov2_paper_against_a_cifar_knn_run_spells_every_difference():
    lines = ledger(load_card("mocov2").results, OURS_CIFAR_KNN, value=71.3)
    paper = lines[0]
    assert paper.result.value == 71.1 and paper.verdict == "protocol"
    assert paper.differences == ("dataset CIFAR-10 vs ImageNet", "backbone resnet18 vs ResNet-50",
                                 "epochs 100 vs 800", "eval kNN k=200 vs linear 100 ep")
    assert paper.unstated == () and paper.gap == pytest.approx(0.2)
    assert paper.explanation() == ("protocol: dataset CIFAR-10 vs ImageNet; backbone resnet18 vs ResNet-50; "
                                   "epochs 100 vs 800; eval kNN k=200 vs linear 100 ep")
    assert len(lines) == len(load_card("mocov2").results)


def test_lightly_cifar_reference_differs_only_where_it_does():
    ref = next(r for r in load_card("simclr").results
               if r.by == "lightly" and r.protocol.dataset == "CIFAR-10" and r.protocol.epochs == 800)
    (line,) = ledger([ref], OURS_CIFAR_KNN, value=85.0)
    assert line.differences == ("epochs 100 vs 800", "batch 256 vs 512",
                                "the reported kNN top-1 is the best over all epochs", "no Gaussian blur")
    assert line.verdict == "protocol" and line.gap == pytest.approx(85.0 - 87.9)


def test_same_protocol_is_an_unexplained_gap():
    (line,) = ledger([_result(value=80.0, stem="cifar", image_size=32)], OURS_CIFAR_KNN, value=75.5)
    assert line.differences == () and line.unstated == ()
    assert (line.verdict, line.gap) == ("unexplained", -4.5)
    assert line.explanation() == "unexplained"


def test_unstated_details_are_listed_not_counted():
    (line,) = ledger([_result(epochs="unknown", batch="unknown")], OURS_CIFAR_KNN, value=80.0)
    assert line.differences == () and line.unstated == ("epochs", "batch")
    assert line.verdict == "unexplained" and line.gap == 0.0
    assert line.explanation() == "unexplained (not stated: epochs, batch)"
    ours_linear = {**OURS_CIFAR_KNN, "eval": "linear", "eval_epochs": 100, "knn_k": None}
    (line,) = ledger([_result(eval="linear", eval_epochs="unknown", knn_k=None)], ours_linear)
    assert line.unstated == ("eval epochs",) and line.gap is None  # no value of ours: no gap


def test_open_deviations_of_our_run_explain_a_gap():
    devs = ["no Gaussian blur in our augmentation", "BatchNorm not synchronised"]
    (line,) = ledger([_result()], OURS_CIFAR_KNN, deviations=devs, value=70.0)
    assert line.differences == ("open deviation: no Gaussian blur in our augmentation",
                                "open deviation: BatchNorm not synchronised")
    assert line.verdict == "protocol" and line.gap == -10.0


def test_another_metric_or_method_variant_is_a_difference_and_has_no_gap():
    (line,) = ledger([_result(metric="top-5", value=99.0)], OURS_CIFAR_KNN, value=80.0)
    assert line.differences == ("metric top-1 vs top-5",) and line.gap is None
    (line,) = ledger([_result(by="solo-learn", variant="MoCo V2+")], OURS_CIFAR_KNN, value=80.0)
    assert line.differences == ("method MoCo V2+ (solo-learn)",) and line.gap == 0.0


@pytest.mark.parametrize("ours, ref, expected", [
    ({"backbone": "Res18"}, {"backbone": "ResNet-18"}, []),
    ({"dataset": "ImageNet-1k"}, {"dataset": "ImageNet"}, []),
    ({"eval": "linear", "eval_epochs": 100, "knn_k": None}, {"eval": "linear", "eval_epochs": 90, "knn_k": None},
     ["eval linear 100 ep vs linear 90 ep"]),
    ({"eval": "online-linear", "knn_k": None}, {"eval": "linear", "eval_epochs": 100, "knn_k": None},
     ["eval online linear vs linear 100 ep"]),
    ({"knn_k": 20}, {"knn_k": 200}, ["eval kNN k=20 vs kNN k=200"]),
    ({"stem": "imagenet"}, {"stem": "cifar"}, ["stem imagenet vs cifar"]),
    ({"image_size": 64}, {"image_size": 32}, ["image 64 vs 32"]),
    ({"views": "2x32"}, {"views": "2x224+6x96"}, ["views 2x32 vs 2x224+6x96"]),
    ({"stem": "cifar"}, {}, []),  # the reference does not say: no difference
    ({"eval": "fine-tune", "eval_epochs": 30, "labels": 1, "knn_k": None},
     {"eval": "fine-tune", "eval_epochs": 30, "labels": 10, "knn_k": None},
     ["eval fine-tune 30 ep, 1% labels vs fine-tune 30 ep, 10% labels"]),
    ({"dataset": "ImageNet", "eval_dataset": "PASCAL VOC 2007", "eval": "fine-tune", "eval_epochs": "unknown",
      "knn_k": None, "task": "detection"},
     {"dataset": "ImageNet", "eval": "linear", "eval_epochs": 28, "knn_k": None},
     ["evaluated on PASCAL VOC 2007 vs ImageNet", "eval fine-tune (epochs unknown), detection vs linear 28 ep"]),
])
def test_each_kind_of_difference(ours, ref, expected):
    base = {"dataset": "CIFAR-10", "backbone": "ResNet-18", "epochs": 100, "batch": 256, "eval": "knn",
            "knn_k": 200}
    diffs, _ = differences(Protocol.model_validate({**base, **ours}), Protocol.model_validate({**base, **ref}))
    assert diffs == expected


def test_an_unknown_pretraining_dataset_is_unstated():
    bert = load_card("bert").results[0].protocol
    ours = Protocol(dataset="BooksCorpus", eval_dataset="GLUE", backbone="BERT-Large", epochs=40, batch=256,
                    eval="fine-tune", eval_epochs=3)
    diffs, unstated = differences(ours, bert)
    assert diffs == [] and unstated == ["dataset", "epochs", "batch", "eval epochs"]


def test_our_protocol_is_validated_like_a_card_s():
    with pytest.raises(ValidationError, match="needs eval_epochs"):
        ledger(load_card("simclr").results, {**OURS_CIFAR_KNN, "eval": "linear", "knn_k": None})
