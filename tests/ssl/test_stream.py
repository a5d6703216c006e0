"""The streamed image-folder path on a generated folder of real JPEGs (CPU, DataLoader worker
processes): per-rank shares across 2 gloo ranks, resume mid-epoch, a corrupt file, the eval
transform, a class-list subset, and a whole engine run killed and resumed."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from papernotes.core import notices
from papernotes.repro.launch.layout import checkpoint_file
from papernotes.ssl.checkpoint import load_checkpoint
from papernotes.ssl.config import DataConfig
from papernotes.ssl.data.datasets import DataError, load_dataset
from papernotes.ssl.data.loader import IndexSampler
from papernotes.ssl.views.multicrop import Crop
from tests.ssl.jpeg_folder import write_jpeg_folder

CROPS = [Crop(16, (0.08, 1.0)), Crop(16, (0.08, 1.0)), Crop(8, (0.05, 0.4))]  # two global, one local


def _source(root, rank=0, world=1, batch=8, seed=3, workers=1):
    data = load_dataset(DataConfig(name="imagefolder", root=str(root), image_size=16, workers=workers))
    sampler = IndexSampler(data.num_pretrain, batch, rank, world, seed, data.sampler_device(torch.device("cpu")))
    return data, data.train_source(sampler, CROPS, seed, rank, torch.device("cpu"))


def _rank(rank, root, out):
    dist.init_process_group("gloo", init_method=f"file://{out}/store", rank=rank, world_size=2)
    _, source = _source(root, rank, 2)
    read = {}
    for epoch in range(2):
        files = []
        for x, y in source.batches(epoch * source.steps_per_epoch, (epoch + 1) * source.steps_per_epoch):
            assert len(x) == 4 and [c.shape[-1] for c in x.crops] == [16, 16, 8] and y.shape == (4,)
            files.extend(source.last_files)
        read[epoch] = files
    shares = [None, None]
    dist.all_gather_object(shares, read)
    if rank == 0:
        (out / "shares.json").write_text(json.dumps(shares))
    dist.destroy_process_group()


def test_two_gloo_ranks_read_disjoint_shares_covering_every_epoch(tmp_path):
    root = write_jpeg_folder(tmp_path / "folder", classes=3, train_per_class=8)  # 24 images, 3 steps of 8
    mp.spawn(_rank, args=(root, tmp_path), nprocs=2, join=True)
    shares = json.loads((tmp_path / "shares.json").read_text())
    for epoch in ("0", "1"):
        a, b = shares[0][epoch], shares[1][epoch]
        assert len(a) == len(b) == 12 and not set(a) & set(b) and sorted(a + b) == list(range(24))
    assert shares[0]["0"] != shares[0]["1"]  # a new permutation each epoch


def test_resume_mid_epoch_gives_the_same_batches_bitwise(tmp_path):
    root = write_jpeg_folder(tmp_path / "folder", classes=3, train_per_class=8)
    _, whole = _source(root, workers=2)
    straight = list(whole.batches(0, 6))  # two epochs
    _, again = _source(root, workers=1)
    resumed = list(again.batches(4, 6))  # in the middle of the second epoch
    for (x, y), (rx, ry) in zip(straight[4:], resumed):
        assert torch.equal(y, ry) and all(torch.equal(a, b) for a, b in zip(x.crops, rx.crops))
    assert not torch.equal(straight[0][0].crops[0], straight[0][0].crops[1])  # each view its own crop


def test_a_corrupt_or_truncated_jpeg_is_skipped_with_one_line_naming_it(tmp_path):
    root = write_jpeg_folder(tmp_path / "folder", classes=2, train_per_class=8)
    good = (root / "train" / "c0" / "003.JPEG").read_bytes()
    (root / "train" / "c0" / "003.JPEG").write_bytes(good[: len(good) // 2])  # truncated
    (root / "train" / "c1" / "005.JPEG").write_bytes(b"not a jpeg at all")
    lines = []
    old = notices.set_sink(lambda level, line: lines.append((level, line)))
    try:
        _, source = _source(root, batch=4, workers=2)
        batches = list(source.batches(0, 2 * source.steps_per_epoch))  # every file read twice
    finally:
        notices.set_sink(old)
    assert all(len(x) == 4 for x, _ in batches) and source.corrupt == 2
    assert sorted(level for level, _ in lines) == ["warning", "warning"]
    assert any("c0/003.JPEG: not a readable image; skipped" in line for _, line in lines)
    assert any("c1/005.JPEG: not a readable image; skipped" in line for _, line in lines)


def test_eval_reads_resize_and_center_crop_of_the_whole_file(tmp_path):
    root = write_jpeg_folder(tmp_path / "folder", classes=2, train_per_class=2, val_per_class=3, size=(64, 32))
    data = load_dataset(DataConfig(name="imagefolder", root=str(root), image_size=16, workers=0))
    val = torch.cat(list(data.test_x.batches(4)))
    assert val.shape == (6, 3, 16, 16) and data.test_y.tolist() == [0, 0, 0, 1, 1, 1]
    # 64x32 -> shorter side 18 (16 * 256/224) -> 36x18 -> the centre 16x16: class 0 is red, class 1 green
    assert (val[:3, 0].float().mean() > 150) and (val[3:, 1].float().mean() > 150)


def test_a_class_list_file_selects_a_subset_as_imagenet_100(tmp_path):
    root = write_jpeg_folder(tmp_path / "folder", classes=4, train_per_class=2)
    (root / "subset.txt").write_text("# two of four\nc3\nc1\n")
    data = load_dataset(DataConfig(name="imagefolder", root=str(root), image_size=16, class_list="subset.txt"))
    assert data.num_classes == 2 and data.num_pretrain == 4 and data.train_y.tolist() == [0, 0, 1, 1]
    assert data.train_index.names[0].decode().startswith("c3/")
    (root / "bad.txt").write_text("c1\nn99999\n")
    with pytest.raises(DataError, match="class folder 'n99999' missing"):
        load_dataset(DataConfig(name="imagefolder", root=str(root), image_size=16, class_list="bad.txt"))


def test_a_folder_without_images_is_one_line(tmp_path):
    (tmp_path / "train" / "c0").mkdir(parents=True)
    (tmp_path / "val").mkdir()
    with pytest.raises(DataError, match="no JPEG files in its class folders"):
        load_dataset(DataConfig(name="imagefolder", root=str(tmp_path), image_size=16))


ENGINE = {
    "method": "dino",
    "model": {"base_channels": 4, "cifar_stem": True},
    "train": {"epochs": 2, "batch_size": 8, "device": "cpu", "channels_last": False, "log_every": 1,
              "threads": 1, "deterministic": True, "checkpoint_every": 1},
    "eval": {"linear_method": "lbfgs", "linear_epochs": 2, "knn_k": 5, "random_init_baseline": False},
    "dino": {"local_crops_number": 2, "local_crops_size": 16, "out_dim": 64, "hidden_dim": 32, "bottleneck_dim": 16},
}


def _engine(tmp_path, name, root, resume=False):
    cfg = dict(ENGINE, out_dir=str(tmp_path / name),
               data={"name": "imagefolder", "root": str(root), "image_size": 32, "workers": 2})
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(cfg))
    events = tmp_path / f"{name}{'-resume' if resume else ''}.jsonl"
    cmd = [sys.executable, "-m", "papernotes.ssl.pretrain", "--config", str(path), "--events", str(events), "--quiet"]
    proc = subprocess.Popen(cmd + (["--resume"] if resume else []), env=dict(os.environ, PYTHONHASHSEED="0"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, events


def _events(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.slow
def test_engine_killed_mid_epoch_and_resumed_equals_uninterrupted(tmp_path):
    root = write_jpeg_folder(tmp_path / "folder", classes=3, train_per_class=8)  # 3 steps an epoch
    ref, ref_events = _engine(tmp_path, "ref", root)
    victim, victim_events = _engine(tmp_path, "victim", root)
    deadline = time.time() + 120
    while not any(e["event"] == "checkpoint" and e["step"] >= 2 for e in _events(victim_events)):
        assert victim.poll() is None and time.time() < deadline, victim.stderr.read()
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    resumed, resumed_events = _engine(tmp_path, "victim", root, resume=True)
    assert resumed.wait(timeout=240) == 0, resumed.stderr.read()
    assert ref.wait(timeout=240) == 0, ref.stderr.read()
    start = _events(resumed_events)[0]
    assert start["dataset"]["num_train"] == 24 and 2 <= start["start_step"] < 6
    ends = [[e for e in _events(p) if e["event"] == "end"][-1] for p in (ref_events, resumed_events)]
    assert ends[0]["metrics"] == ends[1]["metrics"] and ends[0]["step"] == 6
    ref_w, res_w = (load_checkpoint(checkpoint_file(tmp_path / n)) for n in ("ref", "victim"))
    for key, value in ref_w["model"].items():
        assert torch.equal(value, res_w["model"][key]), key
