import pytest
from pydantic import ValidationError

from papernotes.notes.model.schema import Metadata, Note, ReadingStatus
from papernotes.notes.model.tags import normalize_tag


@pytest.mark.parametrize(
    "raw, tag",
    [
        ("Computer Vision", "Computer-Vision"),  # the user's case: Obsidian ignores it
        ("#ssl/contrastive", "ssl/contrastive"),
        ("`自然语言处理`", "自然语言处理"),
        ("自监督 学习", "自监督-学习"),
        ("a//b/", "a/b"),
        ("2020", ""),
        ("  ", ""),
        ("C++", "C"),
    ],
)
def test_tags_follow_obsidian_rules(raw, tag):
    assert normalize_tag(raw) == tag


def test_metadata_normalises_and_dedups_tags_and_arxiv():
    m = Metadata(tags=["SSL", "ssl", "Computer Vision"], arxiv="arXiv:2002.05709")
    assert m.tags == ["SSL", "Computer-Vision"]  # once each ignoring case, as first written
    assert m.arxiv == "2002.05709"
    with pytest.raises(ValidationError, match="not an arXiv id"):
        Metadata(arxiv="20.05709")


def test_note_rejects_bad_values():
    with pytest.raises(ValidationError):
        Note(key="x", rating=6)
    with pytest.raises(ValidationError, match="invalid note key"):
        Note(key="../etc")
    n = Note(key="simclr", rating=4, status="read-carefully")
    assert n.stars() == "⭐⭐⭐⭐"
    assert n.status.label("zh") == "🟢 已精读"
    assert n.status is ReadingStatus.read_carefully
