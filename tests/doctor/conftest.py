"""A real workspace for the doctor/import CLI tests (shared by test_doctor_cli and test_import)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from papernotes.cli.app import app


@pytest.fixture
def vault(tmp_path, monkeypatch) -> Path:
    """`papernotes init` in a temporary folder, which becomes the current folder."""
    root = tmp_path / "vault"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    monkeypatch.chdir(root)
    return root
