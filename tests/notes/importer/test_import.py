"""`papernotes import`: an Obsidian note and a Hexo post (and a damaged copy) into a real
vault, then `papernotes validate` passes and a re-render keeps every line."""

from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.repair.mojibake import damage

DATA = Path(__file__).parent / "data"
OBSIDIAN = DATA / "obsidian-contrastive.md"
HEXO = DATA / "hexo-patching.md"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def body_lines(text: str) -> list[str]:
    """Lines after the frontmatter, headings excepted (those may be renamed)."""
    end = text.index("\n---\n", 4) + 5 if text.startswith("---\n") else 0
    return [ln for ln in text[end:].split("\n") if not ln.startswith("## ")]


def test_dry_run_shows_the_mapping_and_writes_nothing(ws_dir):
    before = sorted(p.name for p in (ws_dir / "notes").iterdir())
    res = run("import", str(OBSIDIAN), str(HEXO), "--dry-run")
    assert res.exit_code == 0, res.output
    assert "(obsidian)" in res.output and "(hexo)" in res.output
    assert "'二、摘要与核心问题' -> section abstract" in res.output
    assert "'训练流程' kept as free text" in res.output
    assert "property tags: meta.tags" in res.output
    assert "1 <!--more-->" in res.output and "1 Hexo tags" in res.output
    assert sorted(p.name for p in (ws_dir / "notes").iterdir()) == before


def test_import_then_validate_and_rerender_keep_every_line(ws_dir):
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (OBSIDIAN, HEXO)}
    res = run("import", str(OBSIDIAN), str(HEXO))
    assert res.exit_code == 0, res.output
    assert run("validate").exit_code == 0
    for p, d in digests.items():
        assert hashlib.sha256(p.read_bytes()).hexdigest() == d  # originals untouched

    from papernotes.notes.format.parse import parse_note
    from papernotes.notes.format.render import render_update

    for src, key in ((OBSIDIAN, "obsidian-contrastive"), (HEXO, "hexo-patching")):
        out = (ws_dir / "notes" / f"{key}.md").read_text(encoding="utf-8")
        assert body_lines(out) == body_lines(src.read_text(encoding="utf-8"))
        parsed = parse_note(out, key=key)
        assert render_update(parsed, parsed.note) == out

    obs = parse_note((ws_dir / "notes" / "obsidian-contrastive.md").read_text(encoding="utf-8"),
                     key="obsidian-contrastive").note
    assert obs.meta.title == "对比学习"
    assert obs.meta.tags == ["对比学习", "self-supervised", "ssl/contrastive"]
    assert obs.meta.year == 2020
    assert "正样本对靠近" in obs.abstract
    assert "投影头" in obs.thoughts

    hexo_text = (ws_dir / "notes" / "hexo-patching.md").read_text(encoding="utf-8")
    hexo = parse_note(hexo_text, key="hexo-patching").note
    assert str(hexo.date) == "2023-05-01" and "source-date: \"2023-05-01 12:30:00\"" in hexo_text
    assert "{% asset_img mae.png MAE 的结构 %}" in hexo_text and "<!--more-->" in hexo_text
    assert "  - 科研/方法" in hexo_text and "abbrlink: \"5a3f\"" in hexo_text


def test_names_that_collide_get_a_suffix(ws_dir, tmp_path):
    assert run("import", str(OBSIDIAN)).exit_code == 0
    first = (ws_dir / "notes" / "obsidian-contrastive.md").read_bytes()
    res = run("import", str(OBSIDIAN))  # the same file, same content: skipped (issue 22)
    assert res.exit_code == 0 and "0 note(s)" in res.output and "1 already imported" \
        in res.output, res.output
    other = tmp_path / "elsewhere" / OBSIDIAN.name  # another file of that name
    other.parent.mkdir()
    other.write_text(OBSIDIAN.read_text(encoding="utf-8") + "\n另一份。\n", encoding="utf-8")
    res = run("import", str(other))
    assert res.exit_code == 0, res.output
    assert (ws_dir / "notes" / "obsidian-contrastive.md").read_bytes() == first
    second = (ws_dir / "notes" / "obsidian-contrastive 1.md").read_text(encoding="utf-8")
    assert "aliases:\n  - obsidian-contrastive\n" in second  # old links still find it
    assert "renamed 'obsidian-contrastive' -> 'obsidian-contrastive 1' (the name is taken)" \
        in res.output


def test_damaged_note_is_repaired_first_and_says_so(ws_dir, tmp_path):
    src = tmp_path / "damaged.md"
    src.write_text(damage(OBSIDIAN.read_text(encoding="utf-8")), encoding="utf-8")
    before = src.read_bytes()
    res = run("import", str(src))
    assert res.exit_code == 0, res.output
    assert "repaired damaged text first" in res.output
    assert src.read_bytes() == before
    out = (ws_dir / "notes" / "damaged.md").read_text(encoding="utf-8")
    want = body_lines(OBSIDIAN.read_text(encoding="utf-8"))
    got = body_lines(out)
    assert len(got) == len(want)
    same = sum(a == b for x, y in zip(got, want) for a, b in zip(x, y))
    assert same / sum(len(x) for x in want) > 0.98
    assert run("validate").exit_code == 0


def test_bad_frontmatter_is_one_line_and_writes_nothing(ws_dir, tmp_path):
    src = tmp_path / "bad.md"
    src.write_text("---\ntitle: [oops\n---\n# x\n", encoding="utf-8")
    before = sorted(p.name for p in (ws_dir / "notes").iterdir())
    res = run("import", str(src))
    assert res.exit_code == 2
    assert "bad.md:" in res.output and "Traceback" not in res.output
    assert sorted(p.name for p in (ws_dir / "notes").iterdir()) == before


def test_every_bad_file_of_a_folder_is_one_line_and_nothing_is_written(ws_dir, tmp_path):
    """A folder with two bad notes among good ones: both are named (not only the first), then
    one line says nothing was written; exit 2."""
    src = tmp_path / "old-notes"
    src.mkdir()
    (src / "a-bad.md").write_text("---\ntitle: [oops\n---\n# x\n", encoding="utf-8")
    (src / "b-good.md").write_bytes(OBSIDIAN.read_bytes())
    (src / "c-bad.md").write_text("---\ntags: {a: 1\n---\n", encoding="utf-8")
    before = sorted(p.name for p in (ws_dir / "notes").iterdir())
    res = run("import", str(src))
    assert res.exit_code == 2
    lines = res.output.splitlines()
    assert [ln.split(":")[:3] for ln in lines[:2]] == [
        ["error", f" {src / 'a-bad.md'}", "2"], ["error", f" {src / 'c-bad.md'}", "2"]]
    assert "frontmatter: invalid YAML" in lines[0] and "frontmatter: invalid YAML" in lines[1]
    assert lines[2:] == ["2 of 3 file(s) cannot be imported: nothing written (mend them, or "
                         "import the others by name)"]
    assert sorted(p.name for p in (ws_dir / "notes").iterdir()) == before


def test_crlf_note_keeps_its_line_endings_and_into_names_the_vault(ws_dir, tmp_path,
                                                                 monkeypatch):
    src = tmp_path / "Windows Note.md"
    src.write_bytes(OBSIDIAN.read_bytes().replace(b"\n", b"\r\n"))
    monkeypatch.chdir(tmp_path)  # outside the vault: --into says where
    res = run("import", str(src), "--into", str(ws_dir))
    assert res.exit_code == 0, res.output
    out = (ws_dir / "notes" / "Windows Note.md").read_bytes()  # the name is kept
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert b"## 2. \xe6\x91\x98\xe8\xa6\x81" in out  # the abstract heading, renamed
    monkeypatch.chdir(ws_dir)
    assert run("validate").exit_code == 0


def test_properties_the_model_cannot_take_are_kept_beside_it(ws_dir, tmp_path):
    src = tmp_path / "odd.md"
    src.write_text("---\ntitle: Odd\nrating: 10\nstatus: someday\nmine: yes\n---\n\n"
                   "## Abstract\n\nShort.\n", encoding="utf-8")
    res = run("import", str(src))
    assert res.exit_code == 0, res.output
    out = (ws_dir / "notes" / "odd.md").read_text(encoding="utf-8")
    assert "source-rating: 10" in out and "source-status: someday" in out
    assert "\nrating:" not in out and "mine: yes" in out
    assert "## 2. Abstract & Core Problem" in out
    assert run("validate").exit_code == 0
