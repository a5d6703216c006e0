"""The validation cache's parser fingerprint covers every source file of the notes package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from papernotes.notes import validation_cache

PKG = Path(validation_cache.__file__).resolve().parents[1]  # papernotes/


@pytest.fixture
def pkg_copy(tmp_path, monkeypatch) -> Path:
    """A copy of papernotes/'s sources, which the fingerprint reads instead of the real ones."""
    root = tmp_path / "papernotes"
    shutil.copytree(PKG, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.setattr(validation_cache, "_NOTES_PKG", root / "notes")
    return root


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("rel", ["notes/format/parse.py", "notes/model/schema.py",
                                 "notes/repair/__init__.py", "notes/vault.py", "core/errors.py",
                                 "core/workspace.py"])
def test_touching_a_source_file_changes_the_fingerprint(pkg_copy, rel):
    before = validation_cache.parser_fingerprint()
    assert validation_cache.parser_fingerprint() == before
    _touch(pkg_copy / rel)
    assert validation_cache.parser_fingerprint() != before


def test_every_sub_package_is_covered(pkg_copy):
    subs = sorted(p.parent.name for p in (pkg_copy / "notes").glob("*/__init__.py"))
    assert {"doctor", "format", "importer", "model", "repair", "sources"} <= set(subs)
    for sub in subs:
        before = validation_cache.parser_fingerprint()
        (pkg_copy / "notes" / sub / "__init__.py").write_text("# edited\n", encoding="utf-8")
        assert validation_cache.parser_fingerprint() != before, sub
