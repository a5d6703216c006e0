import time

import torch

from papernotes.ssl.config import EvalConfig
from papernotes.ssl.data.synthetic import SHAPES, generate, synthetic_splits
from papernotes.ssl.evaluation.linear import linear_probe


def test_deterministic_from_seed_and_distinct_across_seeds():
    a_x, a_y = generate(300, 10, seed=3)
    b_x, b_y = generate(300, 10, seed=3)
    c_x, _ = generate(300, 10, seed=4)
    assert torch.equal(a_x, b_x) and torch.equal(a_y, b_y)
    assert not torch.equal(a_x, c_x)


def test_shapes_dtype_balance_and_variation():
    x, y = generate(1000, 10, seed=0)
    assert x.shape == (1000, 3, 32, 32) and x.dtype == torch.uint8 and y.dtype == torch.int64
    assert torch.equal(y.bincount(), torch.full((10,), 100))
    # Colours vary: per-image mean colours spread widely, and images use most of the range.
    means = x.float().mean(dim=(2, 3))
    assert means.std(dim=0).min() > 25
    assert len(SHAPES) >= 10


def test_test_split_independent_of_train_size():
    _, _, tx1, ty1 = synthetic_splits(100, 50, 10, 0)
    _, _, tx2, ty2 = synthetic_splits(400, 50, 10, 0)
    assert torch.equal(tx1, tx2) and torch.equal(ty1, ty2)


def test_fast_generation():
    t = time.process_time()  # CPU time: robust to the shared machine's load
    generate(4000, 10, seed=1)
    assert time.process_time() - t < 20


def test_raw_pixels_are_a_poor_representation():
    tr_x, tr_y, te_x, te_y = synthetic_splits(2000, 500, 10, 0)
    cfg = EvalConfig(linear_method="lbfgs", linear_epochs=5)
    r = linear_probe(tr_x.flatten(1).float() / 255, tr_y, te_x.flatten(1).float() / 255, te_y, 10, cfg)
    assert 5 < r["top1"] < 35  # chance is 10%: pixels barely help


def test_shape_rotation_keeps_the_default_data_and_limits_the_pose():
    x, y = generate(64, 10, seed=2)
    same, _ = generate(64, 10, seed=2, max_rotation=180.0)
    upright, y_up = generate(64, 10, seed=2, max_rotation=10.0)
    assert torch.equal(x, same) and torch.equal(y, y_up)
    assert not torch.equal(x, upright)  # the same draws, only the shapes' angles differ
    assert (x != upright).float().mean() < 0.5
