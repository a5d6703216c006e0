"""Fixtures of the catalog tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from papernotes.core.resources import catalog_dir


@pytest.fixture
def tmp_catalog(tmp_path: Path) -> Path:
    """A catalog folder holding a copy of the SimCLR card, to break in a test."""
    shutil.copy(catalog_dir() / "simclr.yaml", tmp_path / "simclr.yaml")
    return tmp_path
