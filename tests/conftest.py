"""The one workspace fixture every test folder shares; folders add their extras on top of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.workspace import init_workspace


@pytest.fixture
def ws_dir(tmp_path, monkeypatch) -> Path:
    """A fresh workspace, as `papernotes init` makes it, and the current folder inside it."""
    root = tmp_path / "vault"
    init_workspace(root)
    monkeypatch.chdir(root)
    return root
