"""`papernotes doctor` end to end: real files, a real workspace, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.repair.mojibake import damage

DATA = Path(__file__).parents[1] / "repair" / "data"  # the damaged-text samples live with the repair tests


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_damaged_note_is_reported_then_fixed_with_a_backup_outside_notes(ws_dir):
    text = (DATA / "contrastive.zh.md").read_text(encoding="utf-8")
    note = ws_dir / "notes" / "contrastive.md"
    note.write_text(damage(text), encoding="utf-8")
    damaged = note.read_bytes()

    res = run("doctor", str(note))
    assert res.exit_code == 1
    assert f"{note}:2: mojibake: damaged text" in res.output  # the title line
    assert "mojibake-uncertain" in res.output
    assert note.read_bytes() == damaged  # without --fix nothing is written

    report = json.loads(run("doctor", str(note), "--json").output)["files"][0]
    assert report["fixed"] is False and report["backup"] is None
    rep = report["repair"]
    assert rep["layers"] == 1 and rep["restored"] == rep["ambiguous"] > 100
    low = rep["least_confident"]
    assert len(low) == 5 and low[0]["confidence"] <= low[-1]["confidence"] < 1
    assert all(1 <= c["line"] <= text.count("\n") + 1 and c["alternatives"] for c in low)

    res = run("doctor", str(note), "--fix")
    repaired = note.read_text(encoding="utf-8")
    assert repaired.count("\n") == text.count("\n")
    assert sum(a == b for a, b in zip(repaired, text)) / len(text) > 0.99
    backups = list((ws_dir / ".papernotes" / "backup").rglob("contrastive.md"))
    assert len(backups) == 1 and backups[0].read_bytes() == damaged
    assert not list((ws_dir / "notes").rglob("*.bak"))

    again = run("doctor", str(note), "--json")
    files = json.loads(again.output)["files"]
    assert [f["check"] for f in files[0]["findings"] if f["check"].startswith("mojibake")] == []


def test_outside_a_workspace_the_backup_sits_in_a_hidden_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "post.md"
    f.write_text(damage("# 标题\n\n一段中文：对比学习。\n"), encoding="utf-8")
    res = run("doctor", str(f), "--fix")
    assert f.read_text(encoding="utf-8").startswith("# 标")
    baks = list((tmp_path / ".papernotes-backup").glob("post.md.*.bak"))
    assert len(baks) == 1 and "repaired" in res.output


def test_links_embeds_frontmatter_and_placeholders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Other Note.md").write_text("x\n", encoding="utf-8")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "pic.png").write_bytes(b"\x89PNG")
    f = tmp_path / "a.md"
    f.write_text(
        "---\ntitle: A\nnested:\n  k: v\n---\n"
        "See [[Other Note|alias]] and [[Missing Note#h]].\n"
        "![[pic.png]] ![[gone.png]]\n"
        "`[[in code]]`\n"
        "```\n[[also code]]\n```\n"
        "  - 术语 A: 解释...\n"
        "| **标题** | [链接]() |\n"
        "{% asset_img pic.png 图 %} {% asset_img lost.png 图 %}\n",
        encoding="utf-8")
    res = run("doctor", str(f), "--json")
    assert res.exit_code == 1
    found = {(x["check"], x["line"]) for x in json.loads(res.output)["files"][0]["findings"]}
    assert found == {("frontmatter", 3), ("wikilink", 6), ("embed", 7),
                     ("placeholder", 12), ("placeholder", 13), ("embed", 14)}, found


def test_bad_yaml_names_its_line_and_clean_files_pass(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("# 好的笔记\n\nnaïve café, 😀, $x^2$\n", encoding="utf-8")
    res = run("doctor", str(good))
    assert res.exit_code == 0, res.output
    res = run("doctor", str(bad), str(good))
    assert res.exit_code == 1
    assert f"{bad}:" in res.output and "frontmatter: invalid YAML" in res.output
    assert good.read_text(encoding="utf-8") == "# 好的笔记\n\nnaïve café, 😀, $x^2$\n"
