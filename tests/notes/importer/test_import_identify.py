"""`import` knows the paper: real-world-shaped notes (Hexo posts with tag plugins and
footnotes, Obsidian notes with odd front matter, nested-bracket wikilinks, CRLF, no final
newline, Typora notes with pseudo-headings) are identified from their evidence, filled from
the note then the catalog, keep every line, validate, and `repro` runs on them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papernotes.cli.app import app
from papernotes.notes.importer.identify import identify, match_title
from papernotes.notes.sources.catalog import list_cards

CORPUS = Path(__file__).parent / "corpus"
# file -> (card it is about, the evidence import must name)
EXPECTED = {
    "hexo-simclr.md": ("simclr", "arXiv 2002.05709 in line 10"),
    "hexo-mae.md": ("mae", "CVF CVPR 2022 in line 9"),
    "obsidian-moco-crlf.md": ("moco", "CVF CVPR 2020 in line 12"),
    "obsidian-bert.md": ("bert", "ACL N19-1423 in line 9"),
    "obsidian-vit.md": ("vit", "title 'An Image is Worth 16x16 Words' in line 2"),
    "obsidian-dino-bibtex.md": ("dino", "BibTeX Emerging Properties in Self-Supervised"),
    "typora-byol.md": ("byol", "arXiv 2006.07733 in line 5"),
    "typora-swav.md": ("swav", "title 'typora-swav' in the file name"),
    "template-simclr.md": ("simclr", "title 'template-simclr' in the file name"),
    "obsidian-unknown.md": (None, "arXiv 2301.08243 in line 6 → not in the catalog"),
    "obsidian-overview.md": (None, "no single paper"),
}


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def _front_end(text: str) -> int:
    """Offset where the body starts (after a front matter block)."""
    m = re.match(r"---\r?\n.*?\r?\n---\r?\n", text, re.S)
    return m.end() if m else 0


def test_the_corpus_covers_every_file():
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.md"))


def test_dry_run_names_the_paper_and_its_evidence_per_file(ws_dir):
    res = run("import", str(CORPUS), "--dry-run")
    assert res.exit_code == 0, res.output
    out = res.output.replace("\n", " ")
    for name, (card, evidence) in EXPECTED.items():
        assert evidence in out, (name, evidence)
        if card:
            assert f"{evidence}" in out and f"→ catalog {card}" in out
    assert "property authors: from line 10" in out  # MoCo's own authors line
    assert "property repro: simclr from catalog simclr" in out
    assert not list((ws_dir / "notes").glob("hexo-*.md"))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from papernotes.core.workspace import init_workspace

    root = tmp_path_factory.mktemp("corpus") / "vault"
    init_workspace(root)
    res = run("import", str(CORPUS), "--into", str(root))
    assert res.exit_code == 0, res.output
    return root


def test_imported_notes_validate_and_keep_every_body_line(imported, monkeypatch):
    monkeypatch.chdir(imported)
    res = run("validate", "--no-cache")
    assert res.exit_code == 0, res.output
    for src in CORPUS.glob("*.md"):
        before = src.read_bytes().decode("utf-8")
        after = (imported / "notes" / src.name).read_bytes().decode("utf-8")
        old = before[_front_end(before):].split("\n")
        new = after[_front_end(after):].split("\n")
        assert len(old) == len(new), src.name
        for a, b in zip(old, new):
            if a != b:  # only template headings are renamed, the user's words kept
                assert a.startswith("#") and b.startswith("## "), (src.name, a, b)
        assert after.endswith("\n") == before.endswith("\n"), src.name
        assert ("\r\n" in after) == ("\r\n" in before), src.name


def test_properties_come_from_the_note_first_then_the_card(imported):
    from papernotes.notes.format.parse import parse_note

    def note(name: str):
        text = (imported / "notes" / name).read_text(encoding="utf-8")
        return parse_note(text, key=Path(name).stem).note, text

    moco, text = note("obsidian-moco-crlf.md")
    assert moco.meta.venue == "CVPR 2020"  # the note's own words, not the card's "CVPR"
    assert moco.meta.authors[0] == "Kaiming He" and moco.meta.arxiv == "1911.05722"
    assert moco.aliases[0] == "动量对比" and "MoCo" in moco.aliases  # the user's alias first
    assert moco.meta.tags == ["ssl/contrastive", "paper"]

    simclr, text = note("hexo-simclr.md")
    assert simclr.repro == "simclr" and simclr.meta.arxiv == "2002.05709"
    assert simclr.meta.code_url == "https://github.com/google-research/simclr"
    assert simclr.meta.tags == ["SimCLR", "对比学习", "论文笔记/自监督"]  # the user's case
    assert simclr.meta.year == 2020 and simclr.meta.venue == "ICML"

    mae, _ = note("hexo-mae.md")
    assert (mae.meta.venue, mae.meta.year) == ("CVPR", 2022)
    assert {"论文笔记", "掩码建模", "ViT"} <= set(mae.meta.tags)  # as the post writes it

    bert, _ = note("obsidian-bert.md")
    assert (bert.meta.venue, bert.meta.year) == ("NAACL", 2019)

    dino, _ = note("obsidian-dino-bibtex.md")
    assert dino.meta.authors[3] == "Hervé Jégou" and dino.meta.year == 2021

    unknown, _ = note("obsidian-unknown.md")
    assert unknown.meta.arxiv == "2301.08243" and unknown.repro is None and not unknown.aliases

    overview, _ = note("obsidian-overview.md")
    assert overview.meta.arxiv is None and overview.repro is None


def test_a_property_the_user_wrote_is_never_overwritten(ws_dir):
    src = ws_dir.parent / "mine.md"
    src.write_text("---\ntitle: SimCLR\nauthors: [Me Myself]\nyear: 2021\nrepro: other\n---\n"
                   "arXiv: 2002.05709\n", encoding="utf-8")
    assert run("import", str(src)).exit_code == 0
    from papernotes.notes.format.parse import parse_note

    note = parse_note((ws_dir / "notes" / "mine.md").read_text(encoding="utf-8"), key="mine").note
    assert (note.meta.authors, note.meta.year, note.repro) == (["Me Myself"], 2021, "other")
    assert note.meta.venue == "ICML" and note.meta.arxiv == "2002.05709"  # missing: filled


def test_repro_runs_on_an_imported_note_linked_to_a_spec(imported, monkeypatch):
    monkeypatch.chdir(imported)
    res = run("repro", "hexo-simclr", "--dry-run", "--profile", "demo", "--device", "cpu")
    assert res.exit_code == 0, res.output
    assert "spec simclr profile demo" in res.output

    from papernotes.core.workspace import find_workspace
    from papernotes.repro.spec.find import note_for as _note_for
    from papernotes.repro.spec.find import spec_path
    from papernotes.repro.spec.model import load_spec, resolve

    ws = find_workspace()
    path = spec_path("simclr", ws.repro_dir)
    spec, doc = load_spec(path)
    res = resolve(spec, doc, path, "demo", {}, [])
    assert _note_for("hexo-simclr", ws, res) == ws.notes_dir / "hexo-simclr.md"
    assert _note_for("simclr", ws, res) is None  # a spec name: results go to its paper


def test_a_renamed_heading_keeps_the_users_words(ws_dir):
    src = ws_dir.parent / "words.md"
    src.write_text("# SimCLR\n\n## 摘要 (Summary)\n\n一个简单的对比学习框架。\n", encoding="utf-8")
    assert run("import", str(src)).exit_code == 0
    text = (ws_dir / "notes" / "words.md").read_text(encoding="utf-8")
    assert "\n## 2. 摘要与核心问题 (Summary)\n" in text

    from papernotes.notes.format.parse import parse_note

    assert parse_note(text, key="words").note.abstract == "一个简单的对比学习框架。"


@pytest.mark.parametrize("title, card", [
    ("A Simple Framework for Contrastive Learning of Visual Representations", "simclr"),
    ("a simple framework for contrastive learning of visual representation", "simclr"),
    ("SimCLR 论文笔记", "simclr"), ("MoCo v2 读书笔记", "mocov2"), ("MoCo", "moco"),
    ("MAE vs BEiT", None), ("对比学习", None), ("Barlow Twins", "barlowtwins"),
])
def test_titles_match_cards_by_name_alias_or_fuzzily(title, card):
    assert match_title(list_cards(), title) == card


def test_a_note_citing_related_work_is_about_the_paper_its_title_names():
    text = ("---\ntitle: MoCo 笔记\n---\n相关工作：SimCLR https://arxiv.org/abs/2002.05709\n"
            "本文：https://arxiv.org/abs/1911.05722\n")
    ident = identify(text, [("MoCo 笔记", 2)])
    assert ident.card.key == "moco" and ident.evidence.line == 5


def test_a_note_naming_one_catalog_paper_throughout_is_about_it():
    template = Path("/work/shared/reference/paper-note-template.zh.md")
    text = template.read_text(encoding="utf-8") if template.exists() else \
        (CORPUS / "template-simclr.md").read_text(encoding="utf-8")
    ident = identify(text, [("论文阅读笔记：[论文标题]", 1)])
    assert ident.card.key == "simclr" and ident.evidence.kind == "mentions"
    assert identify((CORPUS / "obsidian-overview.md").read_text(encoding="utf-8"), []).card is None
    assert identify("MoCo 提到过一次。\n", []).card is None  # once is not a note on it


def test_links_to_another_note_do_not_make_a_note_about_that_paper():
    # an index note linking `[[论文/DINO 自蒸馏|DINO]]` names the DINO note, not the paper itself
    index = "# 读书索引\r\n\r\n- [[论文/DINO 自蒸馏|DINO]]\r\n- ![[DINO 框架图.png]]\r\n"
    assert identify(index, [("读书索引", 1)]).card is None
    # prose naming the paper still counts beside a link
    ident = identify("DINO 的教师是动量平均。\nDINO 不用标签，见 [[DINO]]。\n", [])
    assert ident.card.key == "dino" and ident.evidence.value == "'DINO' x2"
