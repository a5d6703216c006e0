"""Fixtures for the CLI tests: a private validation cache, the CliRunner, a file snapshot.

The workspace (`ws_dir`) comes from tests/conftest.py."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papernotes.cli.app import app


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> Path:
    """Keep the validation cache of each test in its own folder, never in the user's home."""
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("PAPERNOTES_NO_CACHE", raising=False)
    return cache


@pytest.fixture
def cli(monkeypatch):
    """Invoke the app in-process; rich tables get a wide console so cells are not wrapped."""
    from papernotes.cli import console as console_mod

    monkeypatch.setattr(console_mod.console, "width", 240)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` with its hash: compare two to prove nothing was written."""
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            p = Path(folder, name)
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _one_error_line(output: str) -> str:
    """The output is exactly one line starting `error:` and carries no traceback."""
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: "), output
    assert "Traceback" not in output
    return lines[0]


@pytest.fixture
def snapshot():
    return _snapshot


@pytest.fixture
def one_error_line():
    return _one_error_line
