"""Smaller things a user notices: --version, `catalog`, help without `<bool>`, export of papers
only and once each, `new` naming the note that has the paper, labels in the note's language,
a broken pipe."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from papernotes import __version__
from papernotes.cli.app import app

BIB = """@misc{chen2020simple,
  title = {A Simple Framework for Contrastive Learning of Visual Representations},
  author = {Chen, Ting and Kornblith, Simon},
  year = {2020},
  eprint = {2002.05709v3},
  archivePrefix = {arXiv}
}
@inproceedings{he2020momentum,
  title = {Momentum Contrast for Unsupervised Visual Representation Learning},
  author = {He, Kaiming and Fan, Haoqi},
  booktitle = {CVPR},
  year = {2020},
}
"""


def test_version_catalog_and_help(ws_dir, cli):
    r = cli("--version")
    assert r.exit_code == 0 and r.output.strip() == f"papernotes {__version__}"
    assert cli("new", "simclr").exit_code == 0
    r = cli("catalog")
    assert r.exit_code == 0 and "simclr" in r.output and "mocov2" in r.output
    from papernotes.notes.sources.catalog import card_keys

    assert "notes/simclr.md" in r.output and f"{len(card_keys())} paper(s)" in r.output
    r = cli("catalog", "momentum")
    assert r.exit_code == 0 and "2 paper(s)" in r.output and "simclr" not in r.output
    for args in (["--help"], ["new", "--help"], ["doctor", "--help"], ["idea", "add", "--help"]):
        r = cli(*args)
        assert r.exit_code == 0 and "<bool>" not in r.output, args
    assert "--force" in cli("new", "--help").output and "<str>" in cli("new", "--help").output


def test_export_leaves_out_notes_that_are_not_papers_and_merges_the_same_paper(ws_dir, cli,
                                                                               tmp_path):
    assert cli("new", "simclr").exit_code == 0
    assert cli("new", "--title", "Reading list", "--key", "reading").exit_code == 0
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    assert cli("new", "--bibtex", str(bib), "--key", "he2020momentum").exit_code == 0
    # a second note of SimCLR (made by hand: `new` would refuse it), with the same arXiv id
    notes = ws_dir / "notes"
    (notes / "simclr-2.md").write_text((notes / "simclr.md").read_text(encoding="utf-8")
                                       .replace('arxiv: "2002.05709"', 'arxiv: "2002.05709v3"'),
                                       encoding="utf-8")
    r = cli("export", "--bibtex")
    assert r.exit_code == 0, r.output
    entries = re.findall(r"^@(\w+)\{([^,]+),", r.output, flags=re.M)
    assert entries == [("inproceedings", "he2020momentum"), ("inproceedings", "chen2020simple")]
    assert "anon" not in r.output
    assert "left out 1 note(s) that are not papers (no authors, arXiv id or DOI): reading" in r.output
    assert "one entry for the notes of the same paper: simclr, simclr-2" in r.output


def test_new_names_the_note_that_already_has_the_paper(ws_dir, cli, tmp_path, snapshot,
                                                       one_error_line):
    assert cli("new", "simclr").exit_code == 0
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    before = snapshot(ws_dir)
    r = cli("new", "--bibtex", str(bib), "--key", "chen2020simple")
    line = one_error_line(r.output)
    assert r.exit_code == 2 and snapshot(ws_dir) == before
    assert "'chen2020simple' is already in the vault as notes/simclr.md (same arXiv id " \
           "2002.05709)" in line and "papernotes show simclr" in line
    r = cli("new", "--bibtex", str(bib))  # the whole file: the rest is made, the known one named
    assert r.exit_code == 0, r.output
    assert "warning: new: 'chen2020simple' is already in the vault as notes/simclr.md" in r.output
    assert sorted(p.name for p in (ws_dir / "notes").glob("*.md")) == ["he2020momentum.md",
                                                                       "simclr.md"]


def test_list_and_show_speak_the_notes_language(ws_dir, cli):
    assert cli("new", "simclr", "--lang", "zh").exit_code == 0
    assert cli("new", "mae", "--lang", "en").exit_code == 0
    r = cli("list")
    assert r.exit_code == 0
    row = {ln.split("│")[1].strip(): ln for ln in r.output.splitlines() if ln.count("│") > 3}
    assert "⚪ 未读" in row["simclr"] and "⚪ Unread" in row["mae"]
    zh = cli("show", "simclr").output
    for word in ("状态", "⚪ 未读", "作者", "出版来源", "要解决的问题", "核心贡献", "实验结果", "数据集"):
        assert word in zh, word
    en = cli("show", "mae").output
    assert "status" in en and "⚪ Unread" in en and "状态" not in en and "Results" in en


def test_a_note_without_template_headings_has_the_language_of_its_script(ws_dir, cli):
    from papernotes.notes.format.parse import parse_note

    assert parse_note("# 对比学习\n\n这是一篇关于对比学习的笔记。\n", key="a").note.lang == "zh"
    assert parse_note("# Contrastive\n\nA note on 对比学习.\n", key="a").note.lang == "en"


def test_help_into_a_closed_pipe_exits_quietly(tmp_path):
    script = Path(sys.executable).with_name("papernotes")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "papernotes"]
    proc = subprocess.Popen([*cmd, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=tmp_path)
    proc.stdout.close()  # the reader is gone before papernotes writes (as with `| head -0`)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, 1)
    assert err == "", err


def test_the_command_list_shows_each_command_in_one_flowed_sentence():
    """The docstrings break lines mid-sentence; `papernotes --help` used to show those breaks."""
    r = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "240"})
    assert r.exit_code == 0
    lines = r.output.splitlines()
    start = next(i for i, line in enumerate(lines) if "─ Commands " in line)
    panel = lines[start + 1:next(i for i in range(start, len(lines)) if lines[i].startswith("╰"))]
    rows = {line.split()[1]: " ".join(line.strip("│ ").split()[1:]) for line in panel}
    assert len(rows) == len(panel) == 16  # one line per command, no continuation lines
    assert rows["catalog"] == ("List the catalog's papers: key, title, venue and year, repro spec; "
                               "inside a workspace, the note already made from each.")
    assert rows["doctor"] == ("Check Markdown files: damaged text, frontmatter, schema, links and "
                              "embeds, template text left to fill.")  # the first sentence only


def test_catalog_key_shows_the_ledger_with_protocols_and_sources(tmp_path, monkeypatch, cli):
    """`papernotes catalog mocov2`: the paper's 71.1 beside VISSL's 66.4, mmpretrain's 67.5 and
    lightly's 61.5, each with its protocol and the file and line it was read from."""
    monkeypatch.chdir(tmp_path)  # outside any workspace: the catalog needs none
    r = cli("catalog", "MoCo v2")
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.startswith("Improved Baselines with Momentum Contrastive Learning (arXiv 2020)")
    for text in ("top-1 71.1", "ImageNet · ResNet-50 · 800 ep · batch 256 · linear 100 ep",
                 "top-1 66.4", "facebookresearch/vissl:MODEL_ZOO.md@09270ed L252",
                 "top-1 67.5", "top-1 61.5", "(MoCo V2+)", "read 2026-12-07"):
        assert text in out, text
    assert "main_lincls.py" not in out and "--sources adds the files" in out
    assert "main_lincls.py@3402035#L55" in cli("catalog", "mocov2", "--sources").output
    r = cli("catalog", "moco")  # a key: its card, and a pointer to the keys it is part of
    assert "Momentum Contrast for Unsupervised" in r.output and "also matching: mocov2" in r.output
    r = cli("catalog", "contrast")  # not a key: the list, as before
    assert r.exit_code == 0 and "paper(s)" in r.output and "number(s)" not in r.output
