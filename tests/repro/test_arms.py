"""The pieces under `idea run`: config identity, the cores split, the arm folder's lock."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from papernotes.repro.experiment.arms import Job, Slot, run_jobs, try_lock, unlock
from papernotes.repro.experiment.plan import Arm
from papernotes.repro.launch.cores import cpu_slots, cpu_threads, gpu_slots
from papernotes.repro.launch.engine import LaunchPlan
from papernotes.repro.launch.layout import ARM_LOG
from papernotes.repro.spec.config_hash import config_hash
from papernotes.ssl.config import PretrainConfig


def test_the_hash_ignores_where_and_how_often_it_writes_but_not_what_changes_results():
    cfg = PretrainConfig()
    h = config_hash(cfg)
    same = replace(cfg, out_dir="elsewhere", train=replace(cfg.train, log_every=1, checkpoint_every=5,
                                                           threads=7))
    assert config_hash(same) == h and len(h) == 64
    for changed in (replace(cfg, train=replace(cfg.train, seed=1)),
                    replace(cfg, train=replace(cfg.train, device="cpu")),
                    replace(cfg, aug=replace(cfg.aug, color_strength=0.25))):
        assert config_hash(changed) != h
    assert config_hash(cfg, world_size=2) != h  # the batch is split over the ranks


def test_processes_times_threads_fit_the_cores():
    assert cpu_threads(2, 1, cores=2) == 2  # the spec's own count when it fits
    assert cpu_threads(2, 2, cores=2) == 1  # two ranks on two cores: one thread each
    assert cpu_threads(None, 4, cores=16) == 4
    assert cpu_threads(8, 3, cores=2) == 1  # never below one
    assert cpu_slots(2, [0, 1, 2, 3, 4]) == [[0, 1], [2, 3]]
    assert cpu_slots(3, [0, 1]) == [None, None, None]  # more arms than cores: shared
    assert gpu_slots(2, 2, ["0", "1", "2", "3"]) == [["0", "1"], ["2", "3"]]


def test_an_arm_trained_by_another_run_is_waited_for_then_reused(tmp_path):
    cfg = replace(PretrainConfig(), out_dir=str(tmp_path / "arm"))
    arm = Arm("baseline", 0, cfg, config_hash(cfg), LaunchPlan(1))
    other = Job(arm, sink=lambda e: None)
    assert try_lock(other)  # another `idea run` is training this arm
    mine = Job(arm, sink=lambda e: None)
    asked = []
    done = threading.Event()

    def still_needed(job):
        asked.append(time.monotonic())
        return False  # by then its run is in MLflow

    thread = threading.Thread(target=lambda: (run_jobs([mine], [Slot()], tmp_path, poll_s=0.05,
                                                       still_needed=still_needed), done.set()))
    thread.start()
    time.sleep(0.4)
    assert asked == [] and not done.is_set()  # waits while the other one holds the arm
    released = time.monotonic()
    unlock(other)
    thread.join(10)
    assert done.is_set() and len(asked) == 1 and asked[0] >= released
    assert not (tmp_path / "arm" / ARM_LOG).exists()  # nothing was started
