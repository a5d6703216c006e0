"""A launch whose profile says `checkpoint_every: 0` still checkpoints along the way (issue 23:
a SIGKILLed demo run restarted from step 0), without changing any config hash."""

from __future__ import annotations

from dataclasses import replace

from papernotes.core.workspace import find_workspace
from papernotes.repro.launch.checkpoints import periodic_checkpoints
from papernotes.repro.run.runner import ReproOptions, prepare
from papernotes.repro.spec.config_hash import config_hash
from papernotes.ssl.config.presets import DEMO_CONFIG


def with_train(cfg, **kw):
    return replace(cfg, train=replace(cfg.train, **kw))


def test_every_tenth_of_the_run_at_most_ten_epochs_apart(ws_dir):
    demo = with_train(DEMO_CONFIG, checkpoint_every=0)
    assert periodic_checkpoints(demo) == 15 * 3  # 4000 // 256 steps an epoch, every 3 of 30 epochs
    long = replace(demo, data=replace(demo.data, name="cifar10"),
                   train=replace(demo.train, epochs=1000, batch_size=512))
    assert periodic_checkpoints(long) == 97 * 10
    folder = replace(demo, data=replace(demo.data, name="imagefolder"))
    assert periodic_checkpoints(folder) == 1000
    assert periodic_checkpoints(with_train(demo, checkpoint_every=7)) == 7  # the profile's own
    res, _, _ = prepare(ReproOptions("simclr", "demo", device="cpu"), find_workspace(ws_dir))
    assert res.config.train.checkpoint_every == 45
    assert config_hash(res.config) == config_hash(with_train(res.config, checkpoint_every=0))
