"""`papernotes init` and `papernotes new`: real workspaces on disk, refusals write nothing."""

import pytest

from papernotes.core.workspace import find_workspace
from papernotes.notes.vault import load_note


def test_init_makes_a_workspace_and_refuses_a_second_time(tmp_path, cli, one_error_line, snapshot):
    r = cli("init", str(tmp_path / "v"))
    assert r.exit_code == 0 and "workspace ready" in r.output
    ws = find_workspace(tmp_path / "v")
    assert ws.config.lang == "zh" and ws.notes_dir.is_dir() and ws.templates_dir.is_dir()
    before = snapshot(tmp_path / "v")
    r = cli("init", str(tmp_path / "v"))
    assert r.exit_code != 0 and "already a papernotes workspace" in one_error_line(r.output)
    assert snapshot(tmp_path / "v") == before
    assert cli("init", str(tmp_path / "v"), "--force").exit_code == 0
    # inside the workspace's notes/ a second workspace's files would be the first one's notes
    before = snapshot(tmp_path / "v")
    r = cli("init", str(tmp_path / "v" / "notes" / "sub"))
    assert r.exit_code == 2 and "inside the notes folder" in one_error_line(r.output), r.output
    assert snapshot(tmp_path / "v") == before


def test_new_from_the_catalog_writes_the_filled_template(ws_dir, cli):
    r = cli("new", "simclr")
    assert r.exit_code == 0, r.output
    path = ws_dir / "notes" / "simclr.md"
    assert r.output.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert "A Simple Framework for Contrastive Learning of Visual Representations" in text
    assert "## 1. 元数据 (Metadata)" in text and "2002.05709" in text
    note = load_note(find_workspace(), "simclr").note
    assert note.key == "simclr" and note.lang == "zh"
    assert any(r.value == 76.5 for r in note.results)


def test_new_in_english(ws_dir, cli):
    assert cli("new", "simclr", "--lang", "en").exit_code == 0
    note = load_note(find_workspace(), "simclr").note
    assert note.lang == "en"


def test_new_refuses_to_overwrite_without_force(ws_dir, cli, one_error_line):
    assert cli("new", "simclr").exit_code == 0
    path = ws_dir / "notes" / "simclr.md"
    path.write_bytes(path.read_bytes() + "\n我的补充\n".encode())
    before = path.read_bytes()
    r = cli("new", "simclr")
    assert r.exit_code != 0 and "--force" in one_error_line(r.output)
    assert path.read_bytes() == before
    r = cli("new", "simclr", "--force")  # made again: the user's text is kept, a backup left
    assert r.exit_code == 0 and "我的补充" in path.read_text(encoding="utf-8")
    backups = list((ws_dir / ".papernotes" / "backup").glob("*/notes/simclr.md"))
    assert len(backups) == 1 and backups[0].read_bytes() == before


def test_unknown_key_suggests_near_keys_and_writes_nothing(ws_dir, cli, one_error_line, snapshot):
    before = snapshot(ws_dir)
    r = cli("new", "simclrr")
    line = one_error_line(r.output)
    assert r.exit_code != 0 and "simclrr" in line and "simclr" in line.split("simclrr", 1)[1]
    assert snapshot(ws_dir) == before


@pytest.mark.parametrize("key", ["../evil", "a/b", "..", ".hidden"])
def test_keys_with_path_parts_are_refused(ws_dir, cli, key, one_error_line, snapshot):
    before = snapshot(ws_dir)
    r = cli("new", key)
    assert r.exit_code != 0 and "invalid note key" in one_error_line(r.output)
    r = cli("new", "--title", "Fine Title", "--key", key)
    assert r.exit_code != 0 and "invalid note key" in one_error_line(r.output)
    assert snapshot(ws_dir) == before
    assert not (ws_dir.parent / "evil.md").exists()


def test_new_blank_note_from_a_title(ws_dir, cli, one_error_line):
    r = cli("new", "--title", "Momentum Contrast for Unsupervised Visual Representation Learning")
    assert r.exit_code == 0, r.output
    # the file is named after the title, as Obsidian names a note
    path = ws_dir / "notes" / "Momentum Contrast for Unsupervised Visual Representation Learning.md"
    assert r.output.strip() == str(path)
    note = load_note(find_workspace(), path.stem).note
    assert note.meta.title.startswith("Momentum Contrast") and note.results == []
    assert note.aliases == []  # the name is the title: no alias needed
    r = cli("new", "--title", "对比学习", "--key", "cl-zh")
    assert r.exit_code == 0 and (ws_dir / "notes" / "cl-zh.md").is_file()
    for title in ("对比学习综述", "对比学习综述 2"):
        r = cli("new", "--title", title)
        assert r.exit_code == 0 and r.output.strip() == str(ws_dir / "notes" / f"{title}.md")
    # characters Obsidian refuses in a name go; the title stays, and is an alias
    r = cli("new", "--title", "BERT: Pre-training of Deep Bidirectional Transformers")
    assert r.exit_code == 0, r.output
    note = load_note(find_workspace(), "BERT Pre-training of Deep Bidirectional Transformers").note
    title = "BERT: Pre-training of Deep Bidirectional Transformers"
    assert note.meta.title == note.aliases[0] == title
    r = cli("new", "--title", "???")
    assert r.exit_code != 0 and "--key" in one_error_line(r.output)


def test_new_needs_exactly_one_source(ws_dir, cli, one_error_line):
    for args in ([], ["simclr", "--title", "X"]):
        r = cli("new", *args)
        assert r.exit_code != 0 and "exactly one" in one_error_line(r.output)
    r = cli("new", "simclr", "--lang", "fr")
    assert r.exit_code != 0 and "fr" in one_error_line(r.output)


BIB = """@inproceedings{chen2020simple,
  title = {A Simple Framework for Contrastive Learning of Visual Representations},
  author = {Chen, Ting and Kornblith, Simon and Norouzi, Mohammad and Hinton, Geoffrey},
  booktitle = {ICML},
  year = {2020},
}
@article{he2020momentum,
  title = {Momentum Contrast for Unsupervised Visual Representation Learning},
  author = {He, Kaiming and Fan, Haoqi},
  journal = {CVPR},
  year = {2020},
}
"""


def test_new_from_bibtex_all_entries_or_one(ws_dir, cli, tmp_path, one_error_line, snapshot):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    r = cli("new", "--bibtex", str(bib), "--key", "he2020momentum")
    assert r.exit_code == 0, r.output
    written = sorted(p.name for p in (ws_dir / "notes").glob("*.md"))
    assert written == ["he2020momentum.md"]
    note = load_note(find_workspace(), "he2020momentum").note
    assert note.meta.year == 2020 and "Kaiming" in " ".join(note.meta.authors)
    # the whole file: one entry already exists, so nothing at all is written without --force
    before = snapshot(ws_dir)
    r = cli("new", "--bibtex", str(bib))
    assert r.exit_code != 0 and "--force" in one_error_line(r.output)
    assert snapshot(ws_dir) == before
    r = cli("new", "--bibtex", str(bib), "--force")
    paths = [ln for ln in r.output.strip().splitlines() if not ln.startswith("note: ")]
    assert r.exit_code == 0 and len(paths) == 2, r.output


def test_a_name_that_differs_only_in_case_is_refused(ws_dir, cli, one_error_line, snapshot):
    # Obsidian (and macOS, Windows) take SimCLR.md and simclr.md for one file
    (ws_dir / "notes" / "SimCLR.md").write_text("# mine\n", encoding="utf-8")
    before = snapshot(ws_dir)
    r = cli("new", "simclr")
    line = one_error_line(r.output)
    assert r.exit_code != 0 and "note 'SimCLR' already has this name in another case" in line
    assert snapshot(ws_dir) == before
