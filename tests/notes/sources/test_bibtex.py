"""BibTeX import/export on real files: cleaned metadata, one-line errors, lossless round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from papernotes.core.errors import PapernotesError
from papernotes.notes.model.schema import Metadata, Note
from papernotes.notes.sources.bibtex import metadata_to_bibtex, notes_from_bibtex
from papernotes.notes.sources.catalog import card_to_note, list_cards

BIB = r"""% a bibliography as people really write them
@inproceedings{chen2020simple,
  title     = {A Simple Framework for Contrastive Learning of Visual Representations},
  author    = {Chen, Ting and Kornblith, Simon and Norouzi, Mohammad and Hinton, Geoffrey},
  booktitle = {Proceedings of the 37th International Conference on Machine Learning},
  year      = {2020},
  url       = {https://proceedings.mlr.press/v119/chen20j.html}
}

@article{zbontar2021barlow,
  title={{Barlow Twins}: Self-Supervised Learning via Redundancy Reduction},
  author={Zbontar, Jure and Jing, Li and Misra, Ishan and LeCun, Yann and Deny, St{\'e}phane},
  journal={arXiv preprint arXiv:2103.03230},
  year={2021}
}

@misc{grill2020byol,
  title = "Bootstrap your own latent: A new approach to self-supervised Learning",
  author = {Grill, Jean-Bastien and Altch\'{e}, Florent and Munos, R{\'{e}}mi and others},
  year = 2020,
  eprint = {2006.07733},
  archivePrefix = {arXiv},
  primaryClass = {cs.LG}
}

@inproceedings{he2020momentum,
  author = {Kaiming He and Haoqi Fan and Yuxin Wu and Saining Xie and Ross Girshick},
  title = {Momentum Contrast for Unsupervised Visual Representation Learning},
  booktitle = {CVPR},
  year = {2020},
  doi = {10.1109/CVPR42600.2020.00975}
}

@article{zhang:2016:color,
  title = {Colorful Image Colorization -- {ECCV} \& more: 50\% {\"u}ber},
  author = {Zhang, Richard and {Berkeley AI Research} and Efros, Jr., Alexei},
  journal = {IEEE Transactions on Pattern Analysis and Machine Intelligence},
  year = {2016}
}
"""


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


def test_import_cleans_names_titles_and_venues(bib):
    notes = {n.key: n for n in notes_from_bibtex(bib)}
    assert list(notes) == ["chen2020simple", "zbontar2021barlow", "grill2020byol",
                           "he2020momentum", "zhang-2016-color"]
    simclr = notes["chen2020simple"].meta
    assert simclr.title == "A Simple Framework for Contrastive Learning of Visual Representations"
    assert simclr.authors == ["Ting Chen", "Simon Kornblith", "Mohammad Norouzi", "Geoffrey Hinton"]
    assert simclr.venue == "Proceedings of the 37th International Conference on Machine Learning"
    assert (simclr.year, simclr.arxiv) == (2020, None)
    assert simclr.paper_url == "https://proceedings.mlr.press/v119/chen20j.html"

    barlow = notes["zbontar2021barlow"].meta
    assert barlow.title == "Barlow Twins: Self-Supervised Learning via Redundancy Reduction"
    assert barlow.authors[-1] == "Stéphane Deny" and barlow.authors[0] == "Jure Zbontar"
    assert (barlow.venue, barlow.arxiv) == ("arXiv", "2103.03230")

    byol = notes["grill2020byol"].meta
    assert byol.authors == ["Jean-Bastien Grill", "Florent Altché", "Rémi Munos"]  # "others" dropped
    assert (byol.arxiv, byol.venue, byol.year) == ("2006.07733", "arXiv", 2020)

    moco = notes["he2020momentum"].meta
    assert moco.authors[0] == "Kaiming He" and moco.venue == "CVPR"
    assert moco.paper_url == "https://doi.org/10.1109/CVPR42600.2020.00975"

    color = notes["zhang-2016-color"].meta
    assert color.title == "Colorful Image Colorization – ECCV & more: 50% über"
    assert color.authors == ["Richard Zhang", "Berkeley AI Research", "Alexei Efros Jr."]


def test_import_one_citekey(bib):
    (note,) = notes_from_bibtex(bib, key="he2020momentum")
    assert note.meta.title == "Momentum Contrast for Unsupervised Visual Representation Learning"


def test_unknown_citekey_names_the_file_and_the_keys_it_has(bib):
    with pytest.raises(PapernotesError) as exc:
        notes_from_bibtex(bib, key="chen2020simpel")
    msg = str(exc.value)
    assert msg.startswith(f"{bib}: key: no entry with citekey 'chen2020simpel'")
    assert "chen2020simple" in msg and "\n" not in msg


def test_malformed_entry_names_its_line(tmp_path):
    path = tmp_path / "bad.bib"
    path.write_text(BIB + "\n@article{broken,\n  title = {Unclosed,\n  year = 2020\n",
                    encoding="utf-8")
    start = (BIB + "\n").count("\n") + 1
    with pytest.raises(PapernotesError) as exc:
        notes_from_bibtex(path)
    assert exc.value.path == path and exc.value.line == start
    assert "malformed" in str(exc.value)


def test_duplicate_citekey_is_an_error(tmp_path):
    path = tmp_path / "dup.bib"
    path.write_text("@misc{a, title={One}}\n\n@misc{a, title={Two}}\n", encoding="utf-8")
    with pytest.raises(PapernotesError) as exc:
        notes_from_bibtex(path)
    assert exc.value.line == 3 and "duplicate" in str(exc.value)


def test_bad_year_points_at_the_year_field(tmp_path):
    path = tmp_path / "year.bib"
    path.write_text("@misc{a,\n  title = {One},\n  year = {circa 2020}\n}\n", encoding="utf-8")
    with pytest.raises(PapernotesError) as exc:
        notes_from_bibtex(path)
    assert (exc.value.line, exc.value.field) == (3, "a.year")


def test_missing_and_non_utf8_files_are_one_line_errors(tmp_path):
    with pytest.raises(PapernotesError, match="no such file"):
        notes_from_bibtex(tmp_path / "nope.bib")
    latin = tmp_path / "latin.bib"
    latin.write_bytes(b"@misc{a,\n title={Caf\xe9}}\n")
    with pytest.raises(PapernotesError) as exc:
        notes_from_bibtex(latin)
    assert exc.value.line == 2


def notes_to_bibtex(notes: list[Note]) -> str:
    return metadata_to_bibtex([n.meta for n in notes])


def test_export_entry_types_and_fields():
    cards = {c.key: card_to_note(c, "en") for c in list_cards()}
    text = notes_to_bibtex([cards["simclr"], cards["mocov2"], _note("TPAMI")])
    blocks = text.split("\n\n")
    assert blocks[0].startswith("@inproceedings{chen2020simple,\n")
    assert "  booktitle = {ICML},\n" in blocks[0]
    assert "  author = {Chen, Ting and Kornblith, Simon and Norouzi, Mohammad and Hinton, Geoffrey}" in blocks[0]
    assert "  eprint = {2002.05709},\n  archivePrefix = {arXiv}" in blocks[0]
    assert blocks[1].startswith("@misc{chen2020improved,\n")
    assert "booktitle" not in blocks[1] and "journal" not in blocks[1]
    assert "  eprint = {2003.04297},\n  archivePrefix = {arXiv}" in blocks[1]
    assert blocks[2].startswith("@article{dollar2019focal,\n") and "journal = {TPAMI}" in blocks[2]
    assert "  doi = {10.1109/TPAMI.2018.2858826}" in blocks[2]


def _note(venue: str, key: str = "focal", title: str = "Focal Loss for Dense Object Detection",
          authors: tuple[str, ...] = ("Piotr Dollár", "Ross Girshick")) -> Note:
    return Note(key=key, meta=Metadata(title=title, authors=list(authors), venue=venue, year=2019,
                                       paper_url="https://doi.org/10.1109/TPAMI.2018.2858826"))


def test_citekeys_are_unique():
    notes = [_note("ICCV", "a"), _note("ICCV", "b"), _note("ICCV", "c")]
    text = notes_to_bibtex(notes)
    keys = [line.split("{")[1].rstrip(",") for line in text.splitlines() if line.startswith("@")]
    assert keys == ["dollar2019focal", "dollar2019focala", "dollar2019focalb"]


def _comparable(meta: Metadata) -> Metadata:
    # BibTeX carries no institutions, code links or tags.
    return meta.model_copy(update={"institutions": [], "code_url": "", "tags": []})


def test_round_trip_of_the_whole_catalog(tmp_path):
    notes = [card_to_note(c, "zh") for c in list_cards()]
    path = tmp_path / "catalog.bib"
    path.write_text(notes_to_bibtex(notes), encoding="utf-8")
    back = notes_from_bibtex(path)
    keys = [line.split("{")[1].rstrip(",") for line in path.read_text().splitlines()
            if line.startswith("@")]
    assert [b.meta.citekey for b in back] == keys  # the key is the note's from then on
    assert [_comparable(n.meta) for n in notes] == [b.meta.model_copy(update={"citekey": None})
                                                    for b in back]


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp", "Zs"]),
                min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.lists(_TEXT, min_size=1, max_size=4).map(" ".join),
       venue=st.sampled_from(["CVPR", "arXiv", "IEEE Transactions on Image Processing", "NeurIPS"]),
       first=st.from_regex(r"[A-Z][a-zé]{1,8}", fullmatch=True),
       last=st.from_regex(r"[A-Z][a-zü]{1,8}(-[A-Z][a-z]{1,5})?", fullmatch=True),
       year=st.integers(1950, 2030))
@example(title="!`", venue="CVPR", first="Aa", last="Aa", year=1950)  # TeX's ligature for ¡ (found by CI)
@example(title="?` ``quoted'' a--b ---", venue="arXiv", first="Aa", last="Aa", year=2020)
def test_round_trip_property(tmp_path, title, venue, first, last, year):
    meta = Metadata(title=title, authors=[f"{first} {last}", "Yann LeCun"], venue=venue, year=year,
                    arxiv="2103.03230", paper_url="https://example.org/p?a=1&b=2")
    path = tmp_path / "p.bib"
    path.write_text(notes_to_bibtex([Note(key="x", meta=meta)]), encoding="utf-8")
    (back,) = notes_from_bibtex(path)
    assert back.meta.model_copy(update={"citekey": None}) == meta
