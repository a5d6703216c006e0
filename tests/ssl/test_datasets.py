import pickle

import numpy as np
import pytest
import torch
import torchvision

from papernotes.ssl.config import DataConfig
from papernotes.ssl.data.datasets import DataError, load_dataset


def _cifar_folder(root, c100=False, n=6):
    rng = np.random.default_rng(0)
    folder = root / ("cifar-100-python" if c100 else "cifar-10-batches-py")
    folder.mkdir(parents=True)
    key = b"fine_labels" if c100 else b"labels"
    names = ["train", "test"] if c100 else [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batches = {}
    for name in names:
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        labels = rng.integers(0, 100 if c100 else 10, n).tolist()
        batches[name] = (data, labels)
        with (folder / name).open("wb") as fh:
            pickle.dump({b"data": data, key: labels}, fh)
    return batches


def test_cifar10_pickle_folder(tmp_path):
    batches = _cifar_folder(tmp_path)
    d = load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    assert d.train_x.shape == (30, 3, 32, 32) and d.test_x.shape == (6, 3, 32, 32) and d.num_classes == 10
    data, labels = batches["data_batch_2"]
    assert torch.equal(d.train_x[6], torch.from_numpy(data[0].reshape(3, 32, 32)))
    assert d.train_y[6:12].tolist() == labels
    again = load_dataset(DataConfig(name="cifar10", root=str(tmp_path / "cifar-10-batches-py")))
    assert again.fingerprint == d.fingerprint and len(d.fingerprint) == 16


def test_cifar100_pickle_folder(tmp_path):
    _cifar_folder(tmp_path, c100=True)
    d = load_dataset(DataConfig(name="cifar100", root=str(tmp_path)))
    assert d.num_classes == 100 and d.train_x.shape[0] == 6


def test_missing_and_malformed_cifar_are_one_line(tmp_path):
    with pytest.raises(DataError) as exc:
        load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))
    msg = str(exc.value)
    assert "\n" not in msg and "data_batch_1" in msg and "cifar.html" in msg
    _cifar_folder(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(b"garbage")
    with pytest.raises(DataError, match="test_batch: not a CIFAR"):
        load_dataset(DataConfig(name="cifar10", root=str(tmp_path)))


def test_stl10_binary_layout(tmp_path):
    folder = tmp_path / "stl10_binary"
    folder.mkdir()
    rng = np.random.default_rng(1)
    imgs = {s: rng.integers(0, 256, (n, 3, 96, 96), dtype=np.uint8) for s, n in [("train", 4), ("test", 3), ("unlabeled", 5)]}
    for s, a in imgs.items():
        a.transpose(0, 1, 3, 2).tofile(folder / f"{s}_X.bin")  # column-major on disk
    np.array([1, 2, 10, 3], dtype=np.uint8).tofile(folder / "train_y.bin")
    np.array([4, 5, 6], dtype=np.uint8).tofile(folder / "test_y.bin")
    d = load_dataset(DataConfig(name="stl10", root=str(tmp_path), image_size=96))
    assert torch.equal(d.train_x, torch.from_numpy(imgs["train"]))
    assert d.train_y.tolist() == [0, 1, 9, 2] and d.pretrain_images.shape[0] == 9


def test_imagefolder_is_streamed_from_its_file_index(tmp_path):
    """An image folder is indexed, not decoded: the eval reads are Resize + CenterCrop of each file."""
    g = torch.Generator().manual_seed(0)
    for split, per in [("train", 3), ("val", 2)]:
        for cls, colour in [("cat", 200), ("dog", 30)]:
            (tmp_path / split / cls).mkdir(parents=True)
            for i in range(per):
                img = torch.full((3, 40, 60), colour, dtype=torch.uint8)
                img[:, :4] = torch.randint(0, 256, (3, 4, 60), dtype=torch.uint8, generator=g)
                torchvision.io.write_jpeg(img, str(tmp_path / split / cls / f"{i}.jpg"), quality=95)
    d = load_dataset(DataConfig(name="imagefolder", root=str(tmp_path), image_size=16, workers=0))
    assert d.streamed and d.num_pretrain == 6 and d.train_x.shape == (6, 3, 16, 16) and d.test_x.shape == (4, 3, 16, 16)
    assert d.train_y.tolist() == [0, 0, 0, 1, 1, 1] and d.num_classes == 2
    test = torch.cat(list(d.test_x.batches(3)))
    assert test.shape == (4, 3, 16, 16) and test.dtype == torch.uint8
    # centre of a "cat" image is ~200, of a "dog" image ~30 (center crop drops the noisy top rows)
    assert abs(test[0, :, 8, 8].float().mean() - 200) < 8 and abs(test[3, :, 8, 8].float().mean() - 30) < 8


def test_imagefolder_missing(tmp_path):
    with pytest.raises(DataError, match="ImageNet layout"):
        load_dataset(DataConfig(name="imagefolder", root=str(tmp_path), image_size=16))


def test_synthetic_via_load_dataset():
    d = load_dataset(DataConfig(num_train=100, num_test=40, num_classes=10))
    assert d.train_x.shape == (100, 3, 32, 32) and d.test_y.shape == (40,) and d.pretrain_images is d.train_x
    with pytest.raises(DataError, match="num_classes"):
        load_dataset(DataConfig(num_train=100, num_test=40, num_classes=50))
