import os

import pytest

from papernotes.core.atomic import atomic_write_text, read_text_utf8
from papernotes.core.errors import PapernotesError


def test_write_is_exact_and_refuses_overwrite(tmp_path):
    p = tmp_path / "sub" / "n.md"
    atomic_write_text(p, "a\r\nb ⭐\n")
    assert p.read_bytes() == "a\r\nb ⭐\n".encode()
    with pytest.raises(PapernotesError, match="already exists"):
        atomic_write_text(p, "other")
    assert p.read_bytes() == "a\r\nb ⭐\n".encode()
    atomic_write_text(p, "other", overwrite=True)
    assert p.read_text() == "other"
    assert [f.name for f in p.parent.iterdir()] == ["n.md"]  # no temp files left


def test_overwrite_keeps_permissions(tmp_path):
    p = tmp_path / "n.md"
    p.write_text("x")
    os.chmod(p, 0o600)
    atomic_write_text(p, "y", overwrite=True)
    assert p.stat().st_mode & 0o777 == 0o600


def test_non_utf8_is_one_line_error_with_line(tmp_path):
    p = tmp_path / "bad.md"
    p.write_bytes(b"ok\nline two \xff\n")
    with pytest.raises(PapernotesError) as err:
        read_text_utf8(p)
    assert err.value.line == 2
    assert str(err.value).startswith(f"{p}:2: not valid UTF-8")
