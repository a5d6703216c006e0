"""The one workspace fixture every test folder shares; folders add their extras on top of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.core.workspace import init_workspace


@pytest.fixture
def ws_dir(tmp_path, monkeypatch) -> Path:
    """A fresh workspace, as `papernotes init` makes it, and the current folder inside it."""
    root = tmp_path / "vault"
    init_workspace(root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture(autouse=True)
def no_tracking_uri_from_the_environment(monkeypatch) -> None:
    """Every test resolves its MLflow store as a fresh shell would: `mlflow.set_tracking_uri`
    (every Tracker calls it) exports MLFLOW_TRACKING_URI into this process, so without this a
    test that tracked to a server made later tests resolve that server instead of their
    workspace's store (`papernotes ui` then ran against it)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
