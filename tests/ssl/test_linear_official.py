"""The official linear evaluation protocol (evaluation/linear_official.py): fresh crops + flips
every epoch through the frozen encoder, scored on the eval transform; ViT features from the last
blocks' class tokens; the config rules; which protocol made a number (report, event, MLflow tag)."""

from dataclasses import replace

import pytest
import torch
from torch import nn

from papernotes.repro.tracking.events import RunPoints
from papernotes.ssl.config import ConfigError, PretrainConfig, check_config, config_from_dict
from papernotes.ssl.data.datasets import DatasetTensors
from papernotes.ssl.evaluation.linear_official import LastBlocks, official_linear_eval
from papernotes.ssl.evaluation.suite import input_fn
from papernotes.ssl.models.vit import build_vit


class MeanColour(nn.Module):
    """A frozen 'encoder': the mean colour of the view, recording every input it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(3))
        self.seen: list[torch.Tensor] = []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return x.mean(dim=(2, 3)) * self.scale


def _colour_set(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Class k: channel k bright, with a darker border the crops move in and out of."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    x = torch.randint(0, 60, (n, 3, 16, 16), generator=g, dtype=torch.uint8)
    x[torch.arange(n), y, 4:12, 4:12] += 190
    return x, y


def _data() -> DatasetTensors:
    (tx, ty), (vx, vy) = _colour_set(48, 0), _colour_set(24, 1)
    return DatasetTensors("colours", tx, ty, vx, vy, 3, "f")


def _cfg(**ev) -> PretrainConfig:
    return config_from_dict({"data": {"image_size": 16}, "eval": {"linear_protocol": "official", "linear_epochs": 4,
                                                                  "linear_batch_size": 16, "linear_lr": 2.0, **ev}})


def test_official_protocol_trains_on_fresh_crops_each_epoch_and_scores_the_whole_images():
    enc, data = MeanColour(), _data()
    result = official_linear_eval(enc, data, _cfg(), input_fn(16), seed=0)
    assert result["steps"] == 4 * 3 and result["batch_size"] == 16 and result["feature_dim"] == 3
    assert result["top1"] == 100.0  # the mean colour separates the classes, crops or not
    train_inputs, test_inputs = enc.seen[1:13], enc.seen[13:]  # seen[0]: the feature-dimension probe
    assert all(t.shape == (16, 3, 16, 16) for t in train_inputs)
    whole = data.train_x.float() / 255
    # every training input is a crop + flip, never the image itself; epochs see different crops
    assert not any(torch.equal(t, whole[:16]) for t in train_inputs)
    assert not torch.equal(train_inputs[0], train_inputs[3])
    assert torch.equal(torch.cat(test_inputs), data.test_x.float() / 255)  # eval: the images as they are
    assert enc.training and torch.equal(enc.scale, torch.ones(3))  # frozen, mode restored


def test_bn_in_front_and_the_same_seed_give_the_same_number():
    a = official_linear_eval(MeanColour(), _data(), _cfg(linear_bn=True), input_fn(16), seed=3)
    b = official_linear_eval(MeanColour(), _data(), _cfg(linear_bn=True), input_fn(16), seed=3)
    assert a == b and a["top1"] == 100.0


def test_vit_last_blocks_class_tokens_concatenated():
    torch.manual_seed(0)
    vit = build_vit("vit_tiny", 32, 16, depth=4).eval()
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        four, one = LastBlocks(vit, 4)(x), vit.last_blocks_cls(x, 1)
    assert four.shape == (2, 4 * vit.feature_dim)
    assert torch.allclose(one, vit(x)) and torch.allclose(four[:, -vit.feature_dim:], vit(x))
    assert not torch.allclose(four[:, :vit.feature_dim], vit(x))


def test_config_rules():
    cfg = _cfg()
    with pytest.raises(ConfigError, match="eval.linear_method"):
        check_config(replace(cfg, eval=replace(cfg.eval, linear_method="lbfgs")))
    with pytest.raises(ConfigError, match="eval.linear_last_blocks"):
        check_config(replace(cfg, eval=replace(cfg.eval, linear_last_blocks=4)))  # a ResNet
    check_config(replace(cfg, model=replace(cfg.model, arch="vit_small"), data=replace(cfg.data, image_size=32),
                         eval=replace(cfg.eval, linear_last_blocks=4)))


def test_the_eval_event_tags_the_run_with_its_protocol():
    points = RunPoints()
    got = points({"event": "eval", "metrics": {"eval/linear_top1": 70.0}, "protocol": "official"})
    assert got.tags == {"papernotes.linear_protocol": "official"} and got.metrics == {"eval/linear_top1": 70.0}
    assert points({"event": "end", "metrics": {}}).tags == {}


def test_the_note_row_says_which_protocol_made_the_number():
    from papernotes.repro.results.writeback import RunRow

    row = RunRow("abcdef1234", "2026-12-08", "simclr-imagenet/e100", "resnet50", "imagefolder", 100, 4096,
                 {"eval/linear_top1": 66.5}, "8x H100", 3600.0, "http://x", linear_protocol="official")
    assert row.cells()[7] == "66.50 (official) (n=1)"
    assert replace(row, linear_protocol="cached_features").cells()[7] == "66.50 (cached features) (n=1)"
    assert replace(row, linear_protocol=None).cells()[7] == "66.50 (n=1)"


def _rank(rank, out):
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"file://{out}/store", rank=rank, world_size=2)
    enc = MeanColour()
    result = official_linear_eval(enc, _data(), _cfg(), input_fn(16), seed=0)
    (out / f"rank{rank}.txt").write_text(repr((result, len(enc.seen), enc.seen[1].shape[0])))
    dist.destroy_process_group()


def test_two_gloo_ranks_train_one_classifier_on_their_shares(tmp_path):
    import torch.multiprocessing as mp

    mp.spawn(_rank, args=(tmp_path,), nprocs=2, join=True)
    a, b = ((tmp_path / f"rank{r}.txt").read_text() for r in (0, 1))
    assert a == b  # gradients averaged every step: the same classifier, the same score on both ranks
    result, _, local = eval(a)  # our own repr of plain values
    assert local == 8 and result["batch_size"] == 16 and result["top1"] == 100.0
