"""Citations the user can trust (issue 22): `export --bibtex` with the paper's title, the
user's citekeys, one entry per paper and every identifier, read back by an independent parser
(pybtex); `new --bibtex` linking the catalog card; `catalog` and `new` agreeing on which papers
have a note; CJK names family-first."""

from __future__ import annotations

import re

from pybtex.database import parse_string

USER_BIB = r"""@inproceedings{grill2020bootstrap,
  title = {Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning},
  author = {Grill, Jean-Bastien and Strub, Florian and Altch{\'e}, Florent},
  booktitle = {NeurIPS},
  year = {2020},
  eprint = {2006.07733},
  archivePrefix = {arXiv}
}
@inproceedings{he2020moco,
  title = {Momentum Contrast for Unsupervised Visual Representation Learning},
  author = {He, Kaiming and Fan, Haoqi and Wu, Yuxin and Xie, Saining and Girshick, Ross},
  booktitle = {CVPR},
  year = {2020},
  url = {https://openaccess.thecvf.com/content_CVPR_2020/html/He_Momentum_Contrast_CVPR_2020_paper.html},
  doi = {10.1109/CVPR42600.2020.00975}
}
@article{liu2021survey,
  title = {自监督学习综述},
  author = {刘, 潇 and 欧阳, 明 and Smith, John},
  journal = {软件学报},
  year = {2021}
}
"""


def _bib(name: str) -> str:
    """A name as BibTeX writes it, `Family, Given`: CJK names keep their family name first."""
    words = name.split()
    if len(words) < 2:
        return name
    if re.search(r"[\u4e00-\u9fff]", name):
        return f"{words[0]}, {' '.join(words[1:])}"
    return f"{words[-1]}, {' '.join(words[:-1])}"


def _export(cli, *keys: str):
    r = cli("export", "--bibtex", *keys)
    assert r.exit_code == 0, r.output
    return parse_string(r.stdout, "bibtex")


def test_new_bibtex_links_the_catalog_card_and_catalog_agrees(ws_dir, cli, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(USER_BIB, encoding="utf-8")
    r = cli("new", "--bibtex", str(bib), "--key", "grill2020bootstrap")
    assert r.exit_code == 0, r.output
    text = (ws_dir / "notes" / "grill2020bootstrap.md").read_text(encoding="utf-8")
    assert "repro: byol" in text  # the card's repro
    assert 'citekey: "grill2020bootstrap"' in text
    assert "[链接](https://arxiv.org/abs/2006.07733)" in text  # the paper link cell is filled
    assert "online" in text.lower()  # the card's text (BYOL's online/target networks)
    r = cli("new", "byol")
    assert r.exit_code == 2 and "already in the vault as notes/grill2020bootstrap.md" in r.output
    r = cli("catalog")
    row = next(ln for ln in r.output.splitlines() if ln.split("│")[0].strip(" ┃│") == "byol"
               or ln.lstrip("│ ").startswith("byol "))
    assert "notes/grill2020bootstrap.md" in row


def test_export_keeps_titles_citekeys_identifiers_and_one_entry_per_paper(ws_dir, cli, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(USER_BIB, encoding="utf-8")
    assert cli("new", "--bibtex", str(bib)).exit_code == 0
    assert cli("new", "dino").exit_code == 0
    notes = ws_dir / "notes"
    # a note whose title property is its heading, as an import of `# BYOL 阅读笔记` makes it
    grill = notes / "grill2020bootstrap.md"
    grill.write_text(grill.read_text(encoding="utf-8").replace(
        "title: Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning",
        "title: BYOL 阅读笔记").replace(
        'title: "Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning"',
        "title: BYOL 阅读笔记"), encoding="utf-8")
    # a second DINO note, without an arXiv id, named by the paper's title
    (notes / "论文").mkdir()
    (notes / "论文" / "DINO 自蒸馏.md").write_text(
        "---\ntitle: Emerging Properties in Self-Supervised Vision Transformers\n"
        "authors: [Mathilde Caron]\n---\n# DINO 自蒸馏\n", encoding="utf-8")
    db = _export(cli)
    keys = list(db.entries)
    assert "grill2020bootstrap" in keys and "he2020moco" in keys and "liu2021survey" in keys
    byol = db.entries["grill2020bootstrap"]
    assert byol.fields["title"].strip("{}") == ("Bootstrap your own latent: A new approach to "
                                                "self-supervised Learning")  # the card's
    grill.write_text(grill.read_text(encoding="utf-8").replace(
        "title: BYOL 阅读笔记", "title: Bootstrap Your Own Latent"), encoding="utf-8")
    moco = db.entries["he2020moco"]
    assert moco.fields["doi"] == "10.1109/CVPR42600.2020.00975"
    assert moco.fields["url"].startswith("https://openaccess.thecvf.com/")
    dinos = [k for k, e in db.entries.items() if "Vision Transformers" in e.fields["title"]]
    assert len(dinos) == 1
    survey = db.entries["liu2021survey"]
    assert [str(p) for p in survey.persons["author"]] == ["刘, 潇", "欧阳, 明", "Smith, John"]


def test_every_field_of_every_note_survives_pybtex_and_keys_are_stable(ws_dir, cli, tmp_path):
    from papernotes.notes.identity import doi_of
    from papernotes.notes.vault import iter_notes

    bib = tmp_path / "refs.bib"
    bib.write_text(USER_BIB, encoding="utf-8")
    assert cli("new", "--bibtex", str(bib)).exit_code == 0
    for key in ("simclr", "mocov2", "mae"):
        assert cli("new", key).exit_code == 0
    db = _export(cli)
    from papernotes.core.workspace import find_workspace

    metas = [p.note.meta for p in iter_notes(find_workspace())]
    assert len(db.entries) == len(metas) == 6
    by_title = {e.fields["title"].replace("{", "").replace("}", ""): k for k, e in db.entries.items()}
    for meta in metas:
        key = meta.citekey or by_title[meta.title]
        entry = db.entries[key]
        assert entry.fields["title"].replace("{", "").replace("}", "") == meta.title
        assert [str(p) for p in entry.persons["author"]] == [_bib(a) for a in meta.authors]
        assert entry.fields["year"] == str(meta.year)
        if meta.arxiv:
            assert entry.fields["eprint"] == meta.arxiv
        if doi_of(meta):
            assert entry.fields["doi"].lower() == doi_of(meta)
    whole = list(db.entries)
    part = list(_export(cli, "mae", "simclr").entries)
    assert part == [k for k in whole if k in part] and len(part) == 2
    assert set(part) <= set(whole)  # the same keys in any subset


def test_cjk_names_stay_family_first_on_import(ws_dir, cli, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(USER_BIB, encoding="utf-8")
    assert cli("new", "--bibtex", str(bib), "--key", "liu2021survey").exit_code == 0
    text = (ws_dir / "notes" / "liu2021survey.md").read_text(encoding="utf-8")
    assert "刘 潇" in text and "欧阳 明" in text and "潇 刘" not in text
