"""`doctor` and `import` on damage through other code pages, lossless damage and files that
are not UTF-8: real files, the real CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.repair.codepages import damage

NOTE = "---\ntitle: 学习笔记\n---\n# 对比学习\n\n正样本对拉近，负样本对推远。\n"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_lossless_damage_is_fixed_exactly_title_included(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "n.md"
    f.write_text(NOTE.encode().decode("cp1252"), encoding="utf-8")
    res = run("doctor", str(f))
    assert res.exit_code == 1 and "Windows-1252" in res.output and "nothing lost" in res.output
    res = run("doctor", str(f), "--fix")
    assert f.read_text(encoding="utf-8") == NOTE
    assert res.exit_code == 0 and "0 problem(s)" in res.output
    assert run("doctor", str(f)).exit_code == 0


def test_page_and_margin_are_reported_and_turkish_damage_is_fixed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "n.md"
    note = "---\ntitle: 实验笔记\n---\n# 实验结果\n\n我们重新实现了代码，实验结果很好。\n"
    f.write_text(damage(note, "cp1254"), encoding="utf-8")  # 实 loses its 0x9E there
    out = json.loads(run("doctor", str(f), "--json").output)["files"][0]
    pages = out["repair"]["pages"]
    assert [p["page"] for p in pages] == ["Windows-1254"] and pages[0]["margin"] > 3
    found = [x for x in out["findings"] if x["check"] == "mojibake"]
    assert "UTF-8 read as Windows-1254" in found[0]["message"]
    run("doctor", str(f), "--fix")
    assert f.read_text(encoding="utf-8") == note


def test_doctor_never_reports_clean_while_an_unclear_run_remains(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "n.md"
    bad = "# 笔记\n\n" + damage("实与出", "cp1254") + "\n"
    f.write_text(bad, encoding="utf-8")
    res = run("doctor", str(f), "--fix")
    assert res.exit_code == 1, res.output
    assert f"{f}:3: mojibake-unclear" in res.output and "0 problem(s)" not in res.output
    assert f.read_text(encoding="utf-8") == bad and "repaired" not in res.output


def test_a_gbk_file_is_converted_by_fix_and_imported_the_same_way(ws_dir):
    src = ws_dir.parent / "gbk-note.md"
    src.write_bytes(NOTE.encode("gb18030"))
    res = run("doctor", str(src))
    assert res.exit_code == 1 and "reads as GB18030" in res.output and "--fix" in res.output
    copy = ws_dir.parent / "copy.md"
    copy.write_bytes(src.read_bytes())
    res = run("doctor", str(copy), "--fix")
    assert copy.read_text(encoding="utf-8") == NOTE
    assert run("doctor", str(copy)).exit_code == 0

    res = run("import", str(src))
    assert res.exit_code == 0, res.output
    assert "converted from GB18030" in res.output
    imported = (ws_dir / "notes" / "gbk-note.md").read_text(encoding="utf-8")
    assert imported.endswith(NOTE.split("---\n", 2)[2])


def test_import_repairs_first_agrees_with_doctor_and_counts_uncertain(ws_dir):
    src = ws_dir.parent / "damaged.md"
    body = "# 自监督学习\n\n对比学习让正样本对靠近，负样本对远离；掩码建模让模型重建被遮住的图像块。\n"
    src.write_text(damage(body, "cp1250"), encoding="utf-8")
    fixed = ws_dir.parent / "fixed.md"
    fixed.write_bytes(src.read_bytes())
    run("doctor", str(fixed), "--fix")
    res = run("import", str(src))
    assert res.exit_code == 0, res.output
    assert "read as Windows-1250" in res.output and "character(s) uncertain" in res.output
    assert "character(s) stayed uncertain" in res.output
    imported = (ws_dir / "notes" / "damaged.md").read_text(encoding="utf-8")
    assert imported.split("---\n", 2)[2] == fixed.read_text(encoding="utf-8")
