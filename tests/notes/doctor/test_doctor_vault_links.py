"""`doctor` on path-qualified links and links to papers the vault has under its own name
(issue 22): it resolves `[[论文/DINO 自蒸馏|DINO]]` as Obsidian does, says where a note of a
path-qualified link went, and never suggests `papernotes new dino` when `new dino` would be
refused."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from papernotes.cli.app import app

DINO_NOTE = "---\ntitle: DINO 自蒸馏\narxiv: \"2104.14294\"\n---\n# DINO 自蒸馏\n\n## 方法\n\n自蒸馏。\n"
LINKS = ("# 读书清单\n\n见 [[论文/DINO 自蒸馏|DINO]]、[[论文/DINO 自蒸馏#方法]] 与 [[dino]]。\n")


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def _messages(ws_dir, *args):
    r = run("doctor", "--json", *args)
    return [f for file in json.loads(r.output)["files"] for f in file["findings"]]


def test_a_path_qualified_link_resolves_in_its_folder(ws_dir):
    (ws_dir / "notes" / "论文").mkdir()
    (ws_dir / "notes" / "论文" / "DINO 自蒸馏.md").write_text(DINO_NOTE, encoding="utf-8")
    (ws_dir / "notes" / "清单.md").write_text(LINKS.replace(" 与 [[dino]]", ""), encoding="utf-8")
    found = _messages(ws_dir, str(ws_dir / "notes" / "清单.md"))
    assert [f for f in found if f["check"] in ("wikilink", "anchor")] == []


def test_a_moved_note_is_found_and_a_refused_command_is_never_suggested(ws_dir):
    notes = ws_dir / "notes"
    (notes / "DINO 自蒸馏.md").write_text(DINO_NOTE, encoding="utf-8")  # flattened
    (notes / "清单.md").write_text(LINKS, encoding="utf-8")
    r = run("new", "dino")
    assert r.exit_code == 2 and "already in the vault" in r.output  # what doctor must not offer

    r = run("doctor", str(notes / "清单.md"))
    assert "papernotes new dino" not in r.output, r.output
    out = " ".join(r.output.split())
    assert "wikilink: [[论文/DINO 自蒸馏]]: no note at that path; 'DINO 自蒸馏' is notes/DINO " \
        "自蒸馏.md (fixable: --fix)" in out, r.output
    assert "[[dino]] links to no note; the vault has this paper as 'DINO 自蒸馏' (notes/DINO " \
        "自蒸馏.md): link to that name" in out, r.output

    r = run("doctor", "--fix", str(notes / "清单.md"))
    text = (notes / "清单.md").read_text(encoding="utf-8")
    assert "见 [[DINO 自蒸馏|DINO]]、[[DINO 自蒸馏#方法|论文/DINO 自蒸馏#方法]] 与 [[dino]]。" in text
    left = _messages(ws_dir, str(notes / "清单.md"))
    assert [f["message"] for f in left if f["check"] == "wikilink"] == [
        "[[dino]] links to no note; the vault has this paper as 'DINO 自蒸馏' (notes/DINO 自蒸馏.md)"
        ": link to that name"]


def test_outside_a_workspace_new_is_offered_only_with_where_it_works(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.md").write_text("# x\n\n见 [[moco]]。\n", encoding="utf-8")
    r = run("doctor", "x.md")
    assert "[[moco]]: no note yet; `papernotes new moco` makes it from the catalog in a " \
        "workspace (`papernotes init` makes one)" in " ".join(r.output.split()), r.output


def test_an_obsidian_vault_outside_the_workspace_resolves_from_its_root(tmp_path, monkeypatch):
    # `doctor ~/old-vault` before an import: a note in 论文/ finds the vault's attachments/ and
    # the notes beside its folder, as Obsidian does (the vault is the folder holding .obsidian/)
    vault = tmp_path / "old-vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "attachments").mkdir()
    (vault / "attachments" / "框架图.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (vault / "论文").mkdir()
    (vault / "论文" / "DINO 自蒸馏.md").write_text(DINO_NOTE + "\n![[框架图.png|400]]\n",
                                                encoding="utf-8")
    (vault / "索引.md").write_text(LINKS.replace("与 [[dino]]", ""), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no workspace here or above
    r = run("doctor", str(vault / "论文"), str(vault / "索引.md"))
    assert r.exit_code == 0 and "0 problem(s)" in r.output, r.output
