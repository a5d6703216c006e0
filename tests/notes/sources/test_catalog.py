"""The built-in paper catalog: every card is valid, linked, drawable, and bad cards fail loudly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.resources import catalog_dir
from papernotes.notes.model.schema import Note
from papernotes.notes.sources import catalog
from papernotes.notes.sources.catalog import card_to_note, list_cards, load_card, load_card_file, suggest

EXPECTED = {
    "simclr", "moco", "mocov2", "byol", "swav", "barlowtwins", "dino", "mae", "beit", "vit",
    "bert", "rotnet", "jigsaw", "colorization",
}
CJK = re.compile(r"[\u4e00-\u9fff]")
# every method the engine registers has a shipped spec repro/<key>.yaml that its card names
SHIPPED_SPECS = ("simclr", "mocov2", "byol", "barlowtwins", "swav", "dino", "mae", "rotnet")


def test_catalog_holds_exactly_the_systems_of_the_users_documents():
    assert {c.key for c in list_cards()} == EXPECTED
    assert sorted(p.stem for p in catalog_dir().glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_card_loads_with_complete_metadata(key):
    card = load_card(key)
    assert card.key == key
    assert card.title and card.authors and card.venue and 2015 <= card.year <= 2022
    assert card.arxiv and card.paper_url == f"https://arxiv.org/abs/{card.arxiv}"
    assert card.code_url == "" or card.code_url.startswith("https://github.com/")
    assert card.tags and all(" " not in t and not t.startswith("#") for t in card.tags)
    assert card.aliases
    for r in card.results:
        assert r.source.where and r.source.at, f"{key}: every figure says where it comes from"
        assert 0 < r.value <= 100
    assert card.results == [] or card.results[0].by == "paper"  # the paper's numbers come first


def test_arxiv_ids_and_titles_are_distinct():
    cards = list_cards()
    assert len({c.arxiv for c in cards}) == len(cards)
    assert len({c.title for c in cards}) == len(cards)


def test_every_related_key_is_another_card():
    keys = {c.key for c in list_cards()}
    for card in list_cards():
        assert card.key not in card.related
        assert set(card.related) <= keys, (card.key, set(card.related) - keys)
        assert len(card.related) == len(set(card.related))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_diagram_parses_into_a_connected_flowchart(key):
    diagram = card_to_note(load_card(key), "en").method.diagram
    assert diagram is not None and diagram.direction in ("TD", "LR")
    ids = {n.id for n in diagram.nodes}
    assert len(ids) >= 4 and len(diagram.edges) >= len(ids) - 1
    assert all(e.src in ids and e.dst in ids for e in diagram.edges)
    assert all(n.label for n in diagram.nodes)


def test_simclr_figures_and_metadata_exactly():
    card = load_card("simclr")
    assert card.title == "A Simple Framework for Contrastive Learning of Visual Representations"
    assert card.authors == ["Ting Chen", "Simon Kornblith", "Mohammad Norouzi", "Geoffrey Hinton"]
    assert (card.venue, card.year, card.arxiv) == ("ICML", 2020, "2002.05709")
    assert card.code_url == "https://github.com/google-research/simclr"
    got = {(r.dataset, r.protocol, r.backbone, r.metric, r.value, r.source)
           for r in card_to_note(card, "en").results}
    assert ("ImageNet", "linear eval", "ResNet-50", "top-1", 69.3, "Table 6") in got
    assert ("ImageNet", "linear eval", "ResNet-50 (4x)", "top-1", 76.5, "Table 6; Abstract") in got
    assert ("CIFAR-10", "linear eval", "ResNet-50", "top-1", 94.0, "Appendix B.9") in got


def test_moco_and_mocov2_are_the_right_papers():
    moco, v2 = load_card("moco"), load_card("mocov2")
    assert (moco.arxiv, moco.venue, moco.year, moco.authors[0]) == ("1911.05722", "CVPR", 2020,
                                                                    "Kaiming He")
    assert (v2.arxiv, v2.title) == ("2003.04297",
                                    "Improved Baselines with Momentum Contrastive Learning")
    assert v2.authors == ["Xinlei Chen", "Haoqi Fan", "Ross Girshick", "Kaiming He"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_card_to_note_fills_the_template_in_the_asked_language(lang):
    for card in list_cards():
        note = card_to_note(card, lang)
        assert isinstance(note, Note) and note.key == card.key and note.lang == lang
        assert note.meta.title == card.title and note.meta.arxiv == card.arxiv
        assert note.meta.authors == card.authors and note.meta.tags == card.tags
        texts = [note.abstract, note.problem, note.method.core_idea, *note.contributions]
        assert all(t.strip() for t in texts) and len(note.contributions) >= 2
        bg = note.background
        bg_texts = [t.explanation for t in bg.terms] + [bg.limitation] * bool(bg.limitation)
        bg_texts += [x for w in bg.related_work for x in (w.summary, w.limitation)]
        if lang == "zh":
            assert CJK.search(note.abstract) and CJK.search(note.problem)
            assert all(CJK.search(t) for t in bg_texts), card.key
        else:
            assert not any(CJK.search(t) for t in texts + bg_texts), card.key
        assert note.results == [r.as_note_result() for r in card.paper_results()]
        assert len(note.results) == sum(r.by == "paper" for r in card.results)  # no peer numbers
        assert note.related == card.related
        assert note.repro == card.repro

    with_spec = {c.key for c in list_cards() if c.repro}
    assert with_spec == set(SHIPPED_SPECS), with_spec  # every shipped method spec, and only they
    assert all(load_card(k).repro == k for k in SHIPPED_SPECS)


def test_background_is_filled_for_simclr_moco_and_mae():
    for key in ("simclr", "moco", "mae"):
        bg = card_to_note(load_card(key), "en").background
        assert len(bg.terms) >= 3 and len(bg.related_work) >= 2 and bg.limitation, key


def test_simclr_background_fills_terms_related_work_and_gap():
    zh, en = (card_to_note(load_card("simclr"), lang).background for lang in ("zh", "en"))
    assert [t.term for t in en.terms][:2] == ["positive pair / negatives", "NT-Xent loss"]
    assert CJK.search(zh.terms[1].explanation) and not CJK.search(en.terms[1].explanation)
    assert "[[moco]]" in [w.name for w in en.related_work]
    assert all(w.summary and w.limitation for w in en.related_work + zh.related_work)
    assert en.limitation.startswith("Existing contrastive methods") and CJK.search(zh.limitation)


def test_wikilinks_in_related_work_point_at_cards():
    keys = {c.key for c in list_cards()}
    for card in list_cards():
        for work in card.related_work:
            links = set(re.findall(r"\[\[([^\]|#]+)", work.heading()))
            assert links <= keys, (card.key, links - keys)


def test_related_work_needs_exactly_one_of_card_or_name(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "  - card: moco\n", "  - card: moco\n    name: MoCo\n")
    err = _error(tmp_catalog)
    assert err.field == "related_work.2" and "exactly one" in err.message
    assert err.line == line  # the line the list item starts on
    assert not err.message.startswith("Value error")


def test_zh_and_en_contribution_lists_have_the_same_length():
    for card in list_cards():
        assert len(card.contributions.zh) == len(card.contributions.en), card.key


def test_suggest_and_unknown_key():
    assert suggest("simclrr")[0] == "simclr"
    assert suggest("mocov3")[0] == "mocov2"
    assert suggest("zzzzzz") == []
    with pytest.raises(PapernotesError) as exc:
        load_card("simclrr")
    msg = str(exc.value)
    assert "simclrr" in msg and "did you mean simclr" in msg and "\n" not in msg


def test_keys_are_case_insensitive_and_paths_are_refused():
    assert load_card("SimCLR").key == "simclr"
    assert load_card("MoCo v2").key == "mocov2"
    assert load_card("Barlow-Twins").key == "barlowtwins"
    for bad in ("../simclr", "", ".simclr", "sim/clr", "mocov"):
        with pytest.raises(PapernotesError):
            load_card(bad)


def test_list_cards_is_cached():
    first = list_cards()
    assert [a is b for a, b in zip(first, list_cards())] == [True] * len(first)


# --- malformed cards ------------------------------------------------------------------------------

def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1  # the line the edit starts on


def _error(directory: Path, key: str = "simclr") -> PapernotesError:
    with pytest.raises(PapernotesError) as exc:
        load_card(key, directory)
    return exc.value


def test_wrong_type_points_at_its_line(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "year: 2020", "year: twenty")
    err = _error(tmp_catalog)
    assert (err.line, err.field) == (line, "year")
    assert str(err).startswith(f"{tmp_catalog / 'simclr.yaml'}:{line}: year: ")


def test_unquoted_arxiv_id_is_refused_not_mangled(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", 'arxiv: "2002.05709"', "arxiv: 2002.05709")
    err = _error(tmp_catalog)
    assert (err.line, err.field) == (line, "arxiv")


def test_nested_result_field_is_located(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "value: 94.0", "value: high")
    err = _error(tmp_catalog)
    assert err.line == line and err.field == "results.2.value"


def test_missing_translation_is_reported(tmp_catalog):
    path = tmp_catalog / "simclr.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("core_idea:\n")
    zh_line = text.index("  zh:", start)
    path.write_text(text[:zh_line] + text[text.index("\n", zh_line) + 1:], encoding="utf-8")
    err = _error(tmp_catalog)
    assert err.field == "core_idea.zh" and "required" in err.message.lower()
    assert err.line == text[:start].count("\n") + 1


def test_unknown_field_is_refused(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "venue: ICML", "venue: ICML\nvenu: ICML")
    err = _error(tmp_catalog)
    assert (err.line, err.field) == (line + 1, "venu")


def test_broken_yaml_syntax_names_the_line(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "year: 2020", "year: [2020")
    err = _error(tmp_catalog)
    assert err.path == tmp_catalog / "simclr.yaml" and err.line is not None
    assert err.line >= line and "invalid YAML" in err.message


def test_duplicate_key_is_refused_at_its_line(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "venue: ICML", "venue: ICML\nvenue: NeurIPS")
    err = _error(tmp_catalog)
    assert err.line == line + 1 and "duplicate" in err.message


def test_broken_diagram_names_the_file_line(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "    Z1 --> L[NT-Xent", "    Z1 --> --> L[NT-Xent")
    err = _error(tmp_catalog)
    assert err.field == "diagram" and err.line == line
    assert str(err).startswith(f"{tmp_catalog / 'simclr.yaml'}:{line}: diagram: ")


def test_key_must_match_file_name(tmp_catalog):
    shutil.move(tmp_catalog / "simclr.yaml", tmp_catalog / "other.yaml")
    err = _error(tmp_catalog, "other")
    assert err.field == "key" and err.line == 1


def test_non_utf8_card_is_one_line_error(tmp_catalog):
    (tmp_catalog / "simclr.yaml").write_bytes(b"key: simclr\ntitle: caf\xe9\n")
    err = _error(tmp_catalog)
    assert err.line == 2 and "UTF-8" in err.message


def test_edited_card_is_reloaded_not_served_stale(tmp_catalog):
    assert load_card("simclr", tmp_catalog).venue == "ICML"
    path = tmp_catalog / "simclr.yaml"
    _edit(path, "venue: ICML", "venue: ICML 2020")
    import os
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert load_card_file(path).venue == "ICML 2020"


def test_catalog_module_imports_no_torch_or_mlflow():
    src = Path(catalog.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+(torch|mlflow)", src, re.M)
