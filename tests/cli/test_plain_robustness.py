"""Plain robustness (issue 22): a read-only `notes/` folder, `doctor` on a file outside the
workspace, a mistyped store path for `ui`, an image given to `import`. Each is one line that
says what is wrong, never a traceback, and nothing is made that was not asked for."""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..user_vault import SIMCLR, write_sources


@contextmanager
def read_only(folder: Path):
    """`folder` as a read-only bind mount while inside (root ignores permission bits); the
    test is skipped where mounting is not permitted."""
    try:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"bind mounts are not permitted here: {exc}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True,
                       capture_output=True)
    except subprocess.CalledProcessError as exc:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)
        pytest.skip(f"a read-only remount is not permitted here: {exc}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


def test_a_read_only_notes_folder_is_one_line_naming_it(ws_dir, cli, one_error_line, tmp_path):
    assert cli("new", "simclr").exit_code == 0
    sources = write_sources(tmp_path / "old-vault")
    with read_only(ws_dir / "notes") as notes:
        for args in (("new", "moco"), ("new", "simclr", "--force"),
                     ("idea", "point", "simclr", "x"), ("board",),
                     ("import", str(sources[SIMCLR]))):
            r = cli(*args)
            assert r.exit_code == 2, (args, r.output)
            line = one_error_line(r.output)  # the import prints no plan before it
            assert f"{notes}: cannot write in this folder (read-only file system)" in line, args
    assert not list((ws_dir / ".papernotes").glob("backup/*/notes/simclr.md"))


def test_doctor_checks_the_properties_of_a_file_outside_the_workspace(tmp_path, cli):
    outside = tmp_path / "elsewhere" / "old.md"
    outside.parent.mkdir()
    outside.write_text("---\nstatus: finished\nrating: 9\nyear: 20200\ndate: someday\n"
                       "arxiv: not-an-id\n---\n# old\n", encoding="utf-8")
    r = cli("doctor", str(outside))
    assert r.exit_code == 1, r.output
    schema = [ln for ln in r.output.splitlines() if ": schema: " in ln]
    assert len(schema) == 5, r.output
    for field in ("status", "rating", "year", "date", "arxiv"):
        assert any(f"schema: {field}:" in ln for ln in schema), field
    assert cli("validate", str(outside)).output.count(str(outside)) == 5


def test_ui_refuses_a_store_whose_folder_does_not_exist(ws_dir, cli, one_error_line, tmp_path):
    missing = tmp_path / "no-such" / "dir"
    r = cli("ui", "--tracking-uri", f"sqlite:///{missing}/x.db", "--port", "1")
    assert r.exit_code == 2
    assert f"{missing}: tracking_uri: the MLflow store's folder does not exist" in \
        one_error_line(r.output)
    assert not (tmp_path / "no-such").exists()


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + bytes([x * 16] * 4) for x in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_an_image_or_binary_file_is_said_not_to_be_text(ws_dir, cli, tmp_path):
    png = tmp_path / "框架图.png"
    png.write_bytes(_png())
    binary = tmp_path / "damaged.md"
    binary.write_bytes(bytes(range(256)) * 8)
    for path, kind in ((png, "PNG image"), (binary, "binary data")):
        r = cli("import", str(path))
        assert r.exit_code == 2
        assert f"{path}: not a text file ({kind})" in r.output, r.output
        assert "doctor --fix" not in r.output and "repairs damaged text" not in r.output
        r = cli("doctor", str(path))
        assert f"{path}:1: not-text: not a text file ({kind})" in r.output, r.output
    assert not list((ws_dir / "notes").glob("*.md"))


def test_a_text_file_in_another_encoding_is_still_text(tmp_path):
    from papernotes.core.binary import binary_kind

    assert binary_kind("对比学习".encode("gb18030")) is None
    assert binary_kind("\ufeff对比学习\r\n".encode("utf-16")) is None
    assert binary_kind(Path(__file__).read_bytes()) is None
