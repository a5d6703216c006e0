"""The cards' ledger data: every number has a protocol and a source of the right shape, the
values the issue quotes are the sources', and a bad entry is one line at its file line."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from papernotes.notes.sources.card_results import Protocol, Reference, Result, check_source
from papernotes.notes.sources.catalog import card_to_note, list_cards, load_card
from tests.notes.sources.test_catalog import _edit, _error

METHOD_CARDS = ("simclr", "mocov2", "byol", "barlowtwins", "swav", "dino", "mae", "rotnet")
PEERS = {"solo-learn", "lightly", "mmpretrain", "mmselfsup", "vissl"}
URL = re.compile(r"https?://\S+")
REPO = re.compile(r"[\w.-]+/[\w.-]+:[^\s@#]+@[0-9a-f]{7,40}")
ANCHORED = re.compile(REPO.pattern + r"#L\d+\S*|" + REPO.pattern + "#abstract")


def _numbers_without_source_or_protocol(cards) -> list[str]:
    missing = []
    for card in cards:
        for i, r in enumerate(card.results):
            p, s = r.protocol, r.source
            if not (isinstance(p, Protocol) and p.dataset and p.backbone and p.eval):
                missing.append(f"{card.key}.results.{i}: no protocol")
            if not (isinstance(s, Reference) and s.at and (URL.fullmatch(s.where) or REPO.fullmatch(s.where))):
                missing.append(f"{card.key}.results.{i}: no source")
    return missing


def test_every_number_on_the_method_cards_has_a_source_and_a_protocol():
    cards = [load_card(k) for k in METHOD_CARDS]
    assert _numbers_without_source_or_protocol(cards) == []
    for card in cards:
        bys = {r.by for r in card.results}
        assert "paper" in bys and bys & PEERS, (card.key, bys)  # the paper's number and a peer's
        for r in card.results:
            where = r.source.where
            if r.by == "paper":
                assert where.startswith(("https://arxiv.org/abs/", "https://openreview.net/")), where
            else:  # a peer's number was read, on a day, from a file at a commit or a page
                assert r.source.read == dt.date(2026, 12, 7), (card.key, r)
                assert REPO.fullmatch(where) or URL.fullmatch(where), where
            for extra in r.source.also:
                assert URL.fullmatch(extra) or ANCHORED.fullmatch(extra), extra  # a line to read
    total = sum(len(c.results) for c in cards)
    assert total >= 120, total  # the ledger is not a token gesture


def test_the_other_cards_numbers_carry_a_protocol_too():
    others = [c for c in list_cards() if c.key not in METHOD_CARDS]
    assert {c.key for c in others} == {"bert", "beit", "vit", "jigsaw", "colorization", "moco"}
    assert _numbers_without_source_or_protocol(others) == []


def test_the_issue_s_mocov2_numbers_are_the_sources_with_their_protocols():
    """MoCo v2 on ImageNet: 71.1 in the paper, 66.4 (VISSL) and 67.5 (mmpretrain), 61.5 in lightly's
    100-epoch benchmark; the protocols say why."""
    rows = {(r.by, r.value): r.protocol for r in load_card("mocov2").results if r.protocol.dataset == "ImageNet"}
    paper, vissl, mmpre, lightly = rows["paper", 71.1], rows["vissl", 66.4], rows["mmpretrain", 67.5], rows["lightly", 61.5]
    assert (paper.epochs, paper.batch, paper.eval, paper.eval_epochs) == (800, 256, "linear", 100)
    assert (vissl.epochs, vissl.batch, vissl.eval_epochs) == (200, 256, 100)
    assert (mmpre.epochs, mmpre.batch, mmpre.eval_epochs) == (200, 256, 100)
    assert (lightly.epochs, lightly.batch, lightly.eval_epochs) == (100, 256, 90)
    assert paper.text() == "ImageNet · ResNet-50 · 800 ep · batch 256 · linear 100 ep"


def test_solo_learn_cifar_numbers_are_online_linear_with_the_cifar_stem():
    r = next(r for r in load_card("simclr").results if r.by == "solo-learn" and r.protocol.dataset == "CIFAR-10")
    assert (r.value, r.protocol.eval, r.protocol.stem, r.protocol.epochs, r.protocol.batch) == (
        90.74, "online-linear", "cifar", 1000, 256)
    assert r.source.where == "vturrisi/solo-learn:README.md@9187ea3" and r.source.at.startswith("L227")
    assert "vturrisi/solo-learn:README.md@dc6e552#L170" in r.source.also  # where the column said "online"


def test_unknown_is_kept_as_unknown_and_printed_so():
    p = Protocol(dataset="ImageNet", backbone="ResNet-50", epochs="unknown", batch=" Unknown ",
                 eval="linear", eval_epochs="unknown")
    assert (p.epochs, p.batch, p.eval_epochs) == (None, None, None)
    assert p.text() == "ImageNet · ResNet-50 · epochs unknown · batch unknown · linear (epochs unknown)"
    knn = Protocol(dataset="CIFAR-10", backbone="ResNet-18", epochs=200, batch=512, eval="knn", knn_k=200,
                   stem="cifar", image_size=32, views="2x32")
    assert knn.text() == "CIFAR-10 · ResNet-18 (cifar stem) · 200 ep · batch 512 · 32px · views 2x32 · kNN k=200"


@pytest.mark.parametrize("fields, message", [
    ({"epochs": None}, "give a number, or `unknown`"),
    ({"batch": "4k"}, "'4k' is not a positive whole number"),
    ({"epochs": 0}, "0 is not a positive whole number"),
    ({"eval_epochs": None, "eval": "linear"}, "give a number"),
    ({"eval": "knn", "eval_epochs": 10}, "does not apply to kNN"),
    ({"eval": "linear", "knn_k": 20, "eval_epochs": 100}, "knn_k applies to kNN"),
    ({"eval": "svm"}, "Input should be"),
])
def test_bad_protocols_are_refused(fields, message):
    base = {"dataset": "ImageNet", "backbone": "ResNet-50", "epochs": 100, "batch": 256, "eval": "knn"}
    with pytest.raises(ValidationError, match=re.escape(message)):
        Protocol.model_validate({**base, **fields})


def test_a_linear_protocol_must_say_its_epochs_even_if_unknown():
    with pytest.raises(ValidationError, match="needs eval_epochs"):
        Protocol(dataset="ImageNet", backbone="ResNet-50", epochs=100, batch=256, eval="linear")


@pytest.mark.parametrize("text, ok", [
    ("https://arxiv.org/abs/2002.05709", True),
    ("vturrisi/solo-learn:README.md@9187ea3", True),
    ("facebookresearch/vissl:configs/config/x.yaml@09270ed45", True),
    ("vturrisi/solo-learn:README.md", False),  # no commit: not a place one can read again
    ("solo-learn README", False),
    ("vturrisi/solo-learn:README.md@9187ea3#L227", False),  # the line goes in `at`
    ("ftp://example.org/x", False),
])
def test_source_shapes(text, ok):
    if ok:
        assert check_source(text, anchor=False) == text
    else:
        with pytest.raises(ValueError, match="neither an http"):
            check_source(text, anchor=False)
    assert check_source("vturrisi/solo-learn:README.md@9187ea3#L227", anchor=True)


def test_a_paper_number_cites_the_paper():
    with pytest.raises(ValidationError, match="cites the paper"):
        Result(by="paper", metric="top-1", value=70.0,
               protocol=Protocol(dataset="ImageNet", backbone="ResNet-50", epochs=1, batch=1, eval="knn"),
               source=Reference(where="vturrisi/solo-learn:README.md@9187ea3", at="L1"))


def test_the_note_gets_the_paper_rows_only_in_its_words():
    note = card_to_note(load_card("mae"), "en")
    assert [(r.backbone, r.protocol, r.value) for r in note.results] == [
        ("ViT-B/16", "fine-tune 100 ep", 83.6), ("ViT-L/16", "fine-tune 50 ep", 85.9),
        ("ViT-H/14", "fine-tune 50 ep", 86.9), ("ViT-H/14 at 448px", "fine-tune", 87.8)]
    rot = card_to_note(load_card("rotnet"), "en").results
    assert [(r.dataset, r.protocol, r.metric) for r in rot] == [("PASCAL VOC 2007", "fine-tune, detection", "mAP")]


# --- a broken card is one line at the entry's file line ------------------------------------------

def test_bad_epochs_in_a_card_names_file_line_and_field(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", "epochs: 1000,\n               batch: 256, eval: online-linear}",
                 "epochs: lots,\n               batch: 256, eval: online-linear}")
    err = _error(tmp_catalog)
    assert err.field == "results.6.protocol.epochs" and err.line == line
    assert "'lots' is not a positive whole number (or `unknown`)" in str(err) and "\n" not in str(err)


def test_a_source_without_its_commit_is_refused_at_its_line(tmp_catalog):
    line = _edit(tmp_catalog / "simclr.yaml", 'where: "google-research/simclr:README.md@383d414", at: "L54',
                 'where: "google-research/simclr:README.md", at: "L54')
    err = _error(tmp_catalog)
    assert (err.field, err.line) == ("results.4.source.where", line)
    assert "neither an http(s) URL nor owner/repo:path@commit" in err.message


def test_a_missing_source_is_refused(tmp_catalog):
    text = (tmp_catalog / "simclr.yaml").read_text(encoding="utf-8")
    start = text.index("  - by: paper\n    metric: top-1\n    value: 94.0")
    src = text.index("    source:", start)
    end = text.index("\n", src) + 1
    (tmp_catalog / "simclr.yaml").write_text(text[:src] + text[end:], encoding="utf-8")
    err = _error(tmp_catalog)
    assert err.field == "results.2.source" and "required" in err.message.lower()
    assert err.line == text[:start].count("\n") + 1
