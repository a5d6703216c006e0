"""`papernotes doctor` resolves links as Obsidian does: file name in any case, path, alias,
heading and block anchors, Markdown images; `--fix` rewrites a link to a renamed note."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.doctor.links import build_index, resolve

A = """\
# Note A

## Local

1 [[note b]] [[Note B.md]] [[Note B#Method]] [[Note B#method: the TRICK]] [[Note B#^blk]] \
[[Note B#Setext]]
2 [[Note B#Missing]]
3 [[Note B#^nope]]
4 [[sub/Deep Note]] [[Deep Note]] [[./sub/Deep Note|deep]]
5 [[other/Deep Note]]
6 [[Old Name]] and ![[Old Name]] and [[old name#Part|the part]]
7 [[#Local]] [[#Nowhere]]
8 ![pic](img/pic%20one.png) ![gone](img/gone.png) ![web](https://example.org/x.png)
9 [[对比学习]] [[CAFÉ]]
"""


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def vault(ws_dir):
    notes = ws_dir / "notes"
    (notes / "Note A.md").write_text(A, encoding="utf-8")
    (notes / "Note B.md").write_text("# B\n\n## Method\n\n## Method: the trick\n\n"
                                     "A claim. ^blk\n\nSetext\n---\n", encoding="utf-8")
    (notes / "sub").mkdir()
    (notes / "sub" / "Deep Note.md").write_text("deep\n", encoding="utf-8")
    (notes / "New Name.md").write_text("---\naliases: [Old Name]\n---\n## Part\n", encoding="utf-8")
    (notes / "对比学习.md").write_text("对比\n", encoding="utf-8")
    (notes / "Cafe\u0301.md").write_text("NFD, as macOS writes names\n", encoding="utf-8")
    (notes / "img").mkdir()
    (notes / "img" / "pic one.png").write_bytes(b"\x89PNG")
    return notes


def findings(ws_dir, *args):
    res = run("doctor", str(ws_dir / "notes" / "Note A.md"), "--json", *args)
    return res, {(f["check"], f["line"], f["message"]) for f in
                 json.loads(res.output)["files"][0]["findings"]}


def test_links_resolve_as_obsidian_resolves_them(ws_dir):
    vault(ws_dir)
    res, found = findings(ws_dir)
    assert res.exit_code == 1
    assert found == {
        ("anchor", 6, "[[Note B#Missing]]: no heading 'Missing' in Note B.md"),
        ("anchor", 7, "[[Note B#^nope]]: no block ^nope in Note B.md"),
        ("wikilink", 9, "[[other/Deep Note]]: no note at that path; 'Deep Note' is "
                        "notes/sub/Deep Note.md"),  # issue 22: where the note is
        ("renamed-link", 10, "[[Old Name]] names 'New Name' only by its alias (Obsidian does "
                             "not follow aliases)"),
        ("renamed-link", 10, "[[old name]] names 'New Name' only by its alias (Obsidian does "
                             "not follow aliases)"),
        ("anchor", 11, "[[#Nowhere]]: no heading 'Nowhere' in Note A.md"),
        ("embed", 12, "image 'img/gone.png' not found"),
    }, found


def test_fix_rewrites_links_to_a_renamed_note_and_keeps_a_backup(ws_dir):
    notes = vault(ws_dir)
    before = (notes / "Note A.md").read_bytes()
    res = run("doctor", str(notes / "Note A.md"), "--fix")
    assert "repaired" in res.output
    text = (notes / "Note A.md").read_text(encoding="utf-8")
    assert "6 [[New Name|Old Name]] and ![[New Name]] and [[New Name#Part|the part]]\n" in text
    assert "5 [[Deep Note|other/Deep Note]]\n" in text  # the note moved: its path follows
    assert text.replace("6 [[New Name|Old Name]] and ![[New Name]] and [[New Name#Part|the part]]",
                        "6 [[Old Name]] and ![[Old Name]] and [[old name#Part|the part]]") \
        .replace("[[Deep Note|other/Deep Note]]", "[[other/Deep Note]]") \
        == before.decode()  # nothing else changed
    backups = list((ws_dir / ".papernotes" / "backup").rglob("Note A.md"))
    assert [b.read_bytes() for b in backups] == [before]
    _, found = findings(ws_dir)
    assert not {f for f in found if f[0] == "renamed-link"}


def test_the_resolver_prefers_names_then_the_nearest_file(ws_dir):
    notes = vault(ws_dir)
    (notes / "sub" / "Note B.md").write_text("another B\n", encoding="utf-8")
    index = build_index(ws_dir)
    assert resolve(index, "note b", notes / "Note A.md").path == notes / "Note B.md"
    deep, sub_b = notes / "sub" / "Deep Note.md", notes / "sub" / "Note B.md"
    assert resolve(index, "Note B", deep).path == sub_b  # the nearest of two Note B
    assert resolve(index, "notes/sub/Note B", notes / "Note A.md").path == sub_b
    assert resolve(index, "../Note B", deep).path == notes / "Note B.md"
    hit = resolve(index, "OLD NAME", notes / "Note A.md")
    assert (hit.path, hit.via) == (notes / "New Name.md", "alias")
    assert resolve(index, "Nothing", notes / "Note A.md") is None
