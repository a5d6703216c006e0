"""Fixtures for the repro tests: a real workspace with a SimCLR note, tiny engine overrides."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

NOTE = "# SimCLR\n\nMy own notes, kept byte for byte.\r\n\n## Reproduction\n\nthoughts below\n"

# A few seconds of real training on the embedded synthetic data set.
TINY = ("data.num_train=128", "data.num_test=64", "data.image_size=16", "model.base_channels=8",
        "model.proj_dim=16", "train.epochs=1", "train.batch_size=32", "train.max_steps=2",
        "train.log_every=1", "eval.linear_epochs=1", "eval.knn_k=5")


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory) -> Path:
    """A real, empty MLflow SQLite store, made once: creating its schema takes 20-40 s here."""
    from mlflow.tracking import MlflowClient

    db = tmp_path_factory.mktemp("store") / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{db}").search_experiments()
    return db


@pytest.fixture
def ws(ws_dir, empty_store) -> Path:
    """The shared workspace (tests/conftest.py) with an MLflow store and a SimCLR note."""
    shutil.copy(empty_store, ws_dir / "mlflow.db")
    (ws_dir / "notes" / "simclr.md").write_bytes(NOTE.encode("utf-8"))
    return ws_dir


def tiny_args() -> list[str]:
    out: list[str] = []
    for item in TINY:
        out += ["--set", item]
    return out


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (for a tracking server that must be unreachable, or one
    a test starts)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
