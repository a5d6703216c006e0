"""`papernotes import` of an Obsidian vault shaped like the user's (issue 22): the folder
structure is kept under notes/, every attachment the notes embed or link is copied where its
links find it, `--dry-run` and the summary count them, and an attachment the vault does not
hold is one warning line for its note."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.doctor.checks import check_links
from papernotes.notes.doctor.links import build_index, resolve
from papernotes.notes.format.links import find_links
from tests.user_vault import (
    ATTACHMENTS,
    DINO,
    MISSING_IMAGE,
    MOCO,
    SIMCLR,
    write_obsidian_vault,
)


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_vault_keeps_its_folders_and_its_attachments(ws_dir, tmp_path):
    vault = tmp_path / "我的库"
    sources = write_obsidian_vault(vault)
    before = _files(vault)
    notes = ws_dir / "notes"
    listing = _files(notes)

    res = run("import", str(vault), "--dry-run")
    assert res.exit_code == 0, res.output
    assert "dry run: 3 note(s), 3 attachment(s) would be written, nothing written" \
        in res.output, res.output
    assert _files(notes) == listing

    res = run("import", str(vault))
    assert res.exit_code == 0, res.output
    assert "imported 3 note(s), 3 attachment(s)" in res.output
    warnings = [ln for ln in res.output.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and MISSING_IMAGE in warnings[0] \
        and f"{SIMCLR}.md:" in warnings[0], res.output
    assert _files(vault) == before  # the originals are never touched
    assert (notes / f"{SIMCLR}.md").is_file()
    assert (notes / "论文" / f"{DINO}.md").is_file()
    assert (notes / "论文" / "精读" / f"{MOCO}.md").is_file()
    assert not list(notes.rglob("旧笔记.md"))  # .trash is hidden
    for name, data in ATTACHMENTS.items():
        assert (notes / "attachments" / name).read_bytes() == data
    dino = (notes / "论文" / f"{DINO}.md").read_bytes()
    assert dino.count(b"\n") == dino.count(b"\r\n")  # CRLF kept

    # every link and embed resolves in the workspace as it did in the vault
    index, old = build_index(ws_dir), build_index(vault)
    for name, src in sources.items():
        target = notes / src.relative_to(vault)
        text = target.read_text(encoding="utf-8")
        for link in find_links(text):
            if link.linkpath in (MISSING_IMAGE, "DINO"):
                continue  # not in the vault either; an alias Obsidian does not follow
            was = resolve(old, link.linkpath, src)
            now = resolve(index, link.linkpath, target)
            assert was is not None and now is not None, (name, link)
            assert now.path.relative_to(notes) == was.path.relative_to(vault), (name, link)
        problems = [f for f in check_links(str(target), text, index)
                    if f.check in ("wikilink", "embed", "anchor")]
        assert [f.message for f in problems] == (
            [f"embedded file '{MISSING_IMAGE}' not found"] if name == SIMCLR else []), name
    r = run("show", DINO)
    assert r.exit_code == 0 and "论文" in r.output, r.output


def test_the_attachment_folder_setting_is_looked_in_first(ws_dir, tmp_path):
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / ".obsidian" / "app.json").write_text('{"attachmentFolderPath": "./资源"}',
                                                  encoding="utf-8")
    (vault / "读书").mkdir()
    (vault / "读书" / "资源").mkdir()
    (vault / "读书" / "资源" / "图.png").write_bytes(b"\x89PNG right")
    (vault / "别处").mkdir()
    (vault / "别处" / "图.png").write_bytes(b"\x89PNG other")
    (vault / "读书" / "笔记.md").write_text("# 笔记\n\n![[图.png]]\n", encoding="utf-8")

    res = run("import", str(vault / "读书"))
    assert res.exit_code == 0, res.output
    assert "1 attachment(s)" in res.output
    assert (ws_dir / "notes" / "读书" / "资源" / "图.png").read_bytes() == b"\x89PNG right"
    assert not (ws_dir / "notes" / "别处").exists()


def test_flatten_puts_every_note_in_notes_and_rewrites_the_links_that_moved(ws_dir, tmp_path):
    vault = tmp_path / "我的库"
    sources = write_obsidian_vault(vault)
    notes = ws_dir / "notes"
    res = run("import", str(vault), "--flatten")
    assert res.exit_code == 0, res.output
    for name in sources:
        assert (notes / f"{name}.md").is_file()
    assert not (notes / "论文").exists()
    simclr = (notes / f"{SIMCLR}.md").read_text(encoding="utf-8")
    assert f"对照 [[{DINO}|DINO]] 的 [[{DINO}#4. 方法/模型 (Methodology/Model)|方法]]" in simclr
    assert "![损失曲线](attachments/loss%20curve.png)" in simclr  # it did not move: as written
    moco = (notes / f"{MOCO}.md").read_text(encoding="utf-8")
    assert f"见 [[{DINO}|论文/{DINO}]]。" in moco
    assert "![曲线](attachments/loss%20curve.png)" in moco
    index, old = build_index(ws_dir), build_index(vault)
    for name, src in sources.items():
        target = notes / f"{name}.md"
        for link in find_links(target.read_text(encoding="utf-8")):
            if link.linkpath in (MISSING_IMAGE, "DINO"):
                continue
            now = resolve(index, link.linkpath, target)
            assert now is not None and now.via != "alias", (name, link)
            was = resolve(old, now.path.name, src)  # the same file of the vault
            assert was is not None and was.path.name == now.path.name, (name, link)


def test_a_note_with_a_dot_in_its_name_is_a_note_not_an_attachment(ws_dir, tmp_path):
    vault = tmp_path / "旧库"
    vault.mkdir()
    (vault / "MoCo v2.1.md").write_text("# MoCo v2.1\n", encoding="utf-8")
    (vault / "读书.md").write_text("# 读书\n\n[[MoCo v2.1]] 与 [[SimCLR v1.5]]\n",
                                   encoding="utf-8")
    res = run("import", str(vault))
    assert res.exit_code == 0, res.output
    assert "imported 2 note(s), 0 attachment(s)" in res.output
    assert "warning" not in res.output  # [[SimCLR v1.5]]: a note not written yet, not a file
