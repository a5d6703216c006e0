"""Notes in sub-folders of notes/ at any depth are seen by every command (issue 22): keys stay
file names, hidden folders are skipped, a name two folders hold is an error listing both paths
and a path-qualified name (`论文/DINO`, as Obsidian links write it) picks one."""

from __future__ import annotations

import shutil

from papernotes.core.workspace import find_workspace
from papernotes.notes.note_files import iter_note_paths, key_of


def _make(cli, key: str, folder: str | None = None):
    args = ["new", key, "--lang", "zh"] + (["--folder", folder] if folder else [])
    r = cli(*args)
    assert r.exit_code == 0, r.output
    return r.output.strip()


def test_a_note_in_a_sub_folder_is_seen_by_every_command(cli, ws_dir, snapshot):
    notes = ws_dir / "notes"
    made = _make(cli, "dino", folder="论文/自监督")  # new --folder
    assert made == str(notes / "论文" / "自监督" / "dino.md")
    _make(cli, "simclr")
    deep = notes / "论文" / "自监督" / "dino.md"
    hidden = notes / ".trash" / "mae.md"
    hidden.parent.mkdir()
    shutil.copy(notes / "simclr.md", hidden)

    assert [key_of(p) for p in iter_note_paths(find_workspace())] == ["simclr", "dino"]
    r = cli("list")
    assert r.exit_code == 0 and "dino" in r.output and "mae" not in r.output, r.output
    r = cli("show", "dino")
    assert r.exit_code == 0 and "论文/自监督/dino.md" in r.output.replace("\n", ""), r.output
    r = cli("idea", "point", "dino", "多裁剪为何有效")
    assert r.exit_code == 0, r.output
    assert "多裁剪为何有效" in deep.read_text(encoding="utf-8")
    r = cli("validate")
    assert r.exit_code == 0 and "2" in r.output, r.output
    # the taken-name check of new and import see every folder
    before = snapshot(ws_dir)
    r = cli("new", "dino")
    assert r.exit_code != 0 and "论文/自监督/dino.md" in r.output.replace("\n", ""), r.output
    assert snapshot(ws_dir) == before
    src = ws_dir.parent / "src"
    src.mkdir()
    (src / "dino.md").write_text("# dino\n\n另一份笔记。\n", encoding="utf-8")
    r = cli("import", str(src))
    assert r.exit_code == 0 and "renamed 'dino' -> 'dino 1'" in r.output, r.output
    # new --force makes the note again where it is
    r = cli("new", "dino", "--force")
    assert r.exit_code == 0 and r.output.strip().endswith(str(deep)), r.output
    assert not (notes / "dino.md").exists()


def test_a_name_two_folders_hold_lists_both_and_a_path_picks_one(cli, ws_dir, one_error_line):
    notes = ws_dir / "notes"
    _make(cli, "simclr", folder="a")
    (notes / "b").mkdir()
    text = (notes / "a" / "simclr.md").read_text(encoding="utf-8")
    (notes / "b" / "simclr.md").write_text(text.replace("title:", "title: B", 1), encoding="utf-8")

    r = cli("show", "simclr")
    line = one_error_line(r.output)
    assert "'simclr' is the name of 2 notes: notes/a/simclr.md, notes/b/simclr.md" in line
    assert r.exit_code == 2
    r = cli("show", "b/simclr")
    assert r.exit_code == 0 and "notes/b/simclr.md" in r.output.replace("\n", ""), r.output
    r = cli("idea", "point", "b/simclr", "只改 b")
    assert r.exit_code == 0, r.output
    assert "只改 b" in (notes / "b" / "simclr.md").read_text(encoding="utf-8")
    assert "只改 b" not in (notes / "a" / "simclr.md").read_text(encoding="utf-8")
    r = cli("list")
    assert r.exit_code == 0 and "a/simclr" in r.output and "b/simclr" in r.output, r.output


def test_new_folder_never_leaves_notes(cli, ws_dir, one_error_line, snapshot):
    before = snapshot(ws_dir)
    for bad in ("../outside", "a/../../b", ".hidden"):
        r = cli("new", "simclr", "--folder", bad)
        line = one_error_line(r.output)
        assert r.exit_code == 2 and f"folder {bad!r}" in line, r.output
    assert snapshot(ws_dir) == before
