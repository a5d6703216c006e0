"""Every catalog card fills the Background part (terms, related work, gap) and it survives a note round trip."""

from __future__ import annotations

import re

import pytest

from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.render import render_new
from papernotes.notes.sources.catalog import card_keys, card_to_note, load_card

KEYS = card_keys()
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_whole_catalog_is_checked():
    assert len(KEYS) == 14


@pytest.mark.parametrize("key", KEYS)
def test_background_has_enough_terms_related_work_and_a_gap(key):
    card = load_card(key)
    assert len(card.terms) >= 3, key
    assert len(card.related_work) >= 2, key
    assert card.gap is not None and card.gap.zh.strip() and card.gap.en.strip(), key


@pytest.mark.parametrize("key", KEYS)
def test_every_background_text_is_filled_in_both_languages(key):
    card = load_card(key)
    texts = [card.gap]
    texts += [x for t in card.terms for x in (t.term, t.explanation)]
    texts += [x for w in card.related_work for x in (w.summary, w.limitation)]
    for text in texts:
        assert text.zh.strip() and text.en.strip(), key
        assert not CJK.search(text.en), (key, text.en)
    for t in card.terms:
        assert CJK.search(t.explanation.zh), (key, t.explanation.zh)
    for w in card.related_work:
        assert CJK.search(w.summary.zh) and CJK.search(w.limitation.zh), key
    assert CJK.search(card.gap.zh), key


@pytest.mark.parametrize("key", KEYS)
def test_card_references_name_other_existing_cards(key):
    card = load_card(key)
    for w in card.related_work:
        if w.card is not None:
            assert w.card in KEYS, (key, w.card)
            assert w.card != key
            assert w.name == ""
        else:
            assert w.name.strip(), key


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_background_round_trips_through_a_rendered_note(key, lang):
    card = load_card(key)
    note = card_to_note(card, lang)
    parsed = parse_note(render_new(note), key=note.key).note
    bg = parsed.background
    assert [(t.term, t.explanation) for t in bg.terms] == [
        (t.term.pick(lang), t.explanation.pick(lang)) for t in card.terms]
    assert [(w.name, w.summary, w.limitation) for w in bg.related_work] == [
        (f"[[{w.card}]]" if w.card else w.name, w.summary.pick(lang), w.limitation.pick(lang))
        for w in card.related_work]
    assert bg.limitation == card.gap.pick(lang)
    assert parsed.background == note.background


def test_byol_background_values():
    zh, en = (card_to_note(load_card("byol"), lang).background for lang in ("zh", "en"))
    assert [t.term for t in en.terms] == ["online / target network", "predictor",
                                          "exponential moving average", "collapse"]
    assert [t.term for t in zh.terms][1] == "预测器"
    assert [w.name for w in en.related_work] == ["[[simclr]]", "[[moco]]",
                                                 "DeepCluster (Caron et al., 2018)"]
    assert en.limitation.startswith("The best self-supervised methods all relied on negative pairs")


def test_related_cards_are_only_earlier_work():
    # A paper can only position itself against work that came before it (ViT must not cite MAE).
    for card in map(load_card, KEYS):
        for w in card.related_work:
            if w.card:
                assert load_card(w.card).arxiv < card.arxiv, (card.key, w.card)
