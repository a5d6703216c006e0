"""locked_update: an edit made while papernotes rewrites a note is carried over, never lost."""

from __future__ import annotations

import os

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.locked_update import file_lock, lock_path, update_text
from papernotes.core.merge3 import merge3

NOTE = "# n\n\nuser line\n\n%% papernotes:begin r %%\nold\n%% papernotes:end r %%\n\ntail\n"


def _ours(text: str) -> str:
    return text.replace("old\n", "new\n")


def test_merge3_combines_edits_on_different_lines_and_refuses_clashes():
    base = "a\nb\nc\nd\ne\n"
    assert merge3(base, "a\nB\nc\nd\ne\n", "a\nb\nc\nd\nE\nf\n") == "a\nB\nc\nd\nE\nf\n"
    assert merge3(base, "a\nB\nc\nd\ne\n", "a\nb\nC\nd\ne\n") is None  # neighbouring lines
    assert merge3(base, "a\nB\nc\nd\ne\n", "a\nX\nc\nd\ne\n") is None
    assert merge3(base, base, "z\n" + base) == "z\n" + base
    assert merge3(base, "a\nX\n" + base[2:], "a\nY\n" + base[2:]) == "a\nY\nX\n" + base[2:]  # both kept
    assert merge3(base, "a\nX\n" + base[2:], "a\nY\nX\n" + base[2:]) == "a\nY\nX\n" + base[2:]  # once
    assert merge3("a\r\nb\r\nc\r\n", "A\r\nb\r\nc\r\n", "a\r\nb\r\nc\r\nd") == "A\r\nb\r\nc\r\nd"


def test_an_edit_made_while_the_change_is_computed_is_kept(tmp_path):
    note = tmp_path / "n.md"
    note.write_text(NOTE, encoding="utf-8")
    calls = []

    def change(text: str) -> str:
        calls.append(text)
        if len(calls) == 1:  # Obsidian saves an edit meanwhile, in place
            with open(note, "r+", encoding="utf-8") as fh:
                fh.write(NOTE.replace("tail\n", "tail\nmy edit\n"))
        return _ours(text)

    assert update_text(note, change) == _ours(NOTE).replace("tail\n", "tail\nmy edit\n")
    assert note.read_text(encoding="utf-8") == _ours(NOTE).replace("tail\n", "tail\nmy edit\n")
    assert len(calls) == 1  # carried over by the line merge, not computed again


def test_a_clashing_edit_makes_the_change_run_again_on_the_new_text(tmp_path):
    note = tmp_path / "n.md"
    note.write_text(NOTE, encoding="utf-8")
    calls = []

    def change(text: str) -> str:
        calls.append(text)
        if len(calls) == 1:  # an edit right beside the line the change rewrites
            note.write_text(NOTE.replace("%% papernotes:begin r %%\n", "edited\n%% papernotes:begin r %%\n"),
                            encoding="utf-8")
            note.write_text(NOTE.replace("old\n", "old\nmine\n"), encoding="utf-8")
        return _ours(text)

    assert update_text(note, change) == NOTE.replace("old\n", "new\nmine\n")
    assert calls[1] == NOTE.replace("old\n", "old\nmine\n")


def test_a_write_that_lands_in_the_replaced_file_is_carried_over(tmp_path, monkeypatch):
    note = tmp_path / "n.md"
    note.write_text(NOTE, encoding="utf-8")
    real_replace = os.replace
    landed = []

    def replace_after_a_late_write(src, dst):
        if not landed and str(dst) == str(note):  # an in-place write already under way
            with open(note, "r+", encoding="utf-8") as fh:
                fh.write(NOTE.replace("user line\n", "user line\nlate edit\n"))
            fd = os.open(note, os.O_RDWR)
            landed.append(fd)
            real_replace(src, dst)
            os.pwrite(fd, NOTE.replace("user line\n", "user line\nlater edit\n").encode(), 0)
            os.close(fd)
            return
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_after_a_late_write)
    update_text(note, _ours)
    final = note.read_text(encoding="utf-8")
    assert final == _ours(NOTE).replace("user line\n", "user line\nlater edit\n")


def test_no_change_writes_nothing_and_errors_write_nothing(tmp_path):
    note = tmp_path / "n.md"
    note.write_text(NOTE, encoding="utf-8")
    before = note.stat().st_ino
    update_text(note, lambda t: t)
    assert note.stat().st_ino == before

    def bad(text):
        raise PapernotesError("broken", path=note, line=3)

    with pytest.raises(PapernotesError, match="broken"):
        update_text(note, bad)
    assert note.read_text(encoding="utf-8") == NOTE and note.stat().st_ino == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.md"]  # no temp or lock files here


def test_the_lock_is_one_file_per_note_outside_the_vault(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    assert lock_path(a) != lock_path(b)
    assert lock_path(a) == lock_path(tmp_path / "." / "a.md")
    assert tmp_path not in lock_path(a).parents
    with file_lock(a):
        assert lock_path(a).is_file()
