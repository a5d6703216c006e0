"""Which note a name means: key, key in any case, title, alias; ambiguity is an error."""

from __future__ import annotations

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.core.workspace import find_workspace
from papernotes.notes.lookup import find_note
from papernotes.notes.vault import load_note, update_note


def note(ws_dir, name: str, title: str = "", aliases: tuple[str, ...] = ()) -> None:
    props = f"title: {title!r}\n" if title else ""
    if aliases:
        props += "aliases:\n" + "".join(f"  - {a!r}\n" for a in aliases)
    (ws_dir / "notes" / f"{name}.md").write_text(f"---\n{props}---\n# {name}\n", encoding="utf-8")


@pytest.fixture
def vault(ws_dir):
    note(ws_dir, "simclr", "A Simple Framework for Contrastive Learning", ("SimCLR",))
    note(ws_dir, "对比学习", "对比学习综述", ("Contrastive learning",))
    note(ws_dir, "Attention Is All You Need")
    note(ws_dir, "moco", "MoCo", ("Momentum Contrast",))
    note(ws_dir, "mocov2", "MoCo v2", ("Momentum Contrast",))  # an alias two notes share
    return find_workspace()


@pytest.mark.parametrize("query, key, via", [
    ("simclr", "simclr", "key"),
    ("simclr.md", "simclr", "key"),
    ("SIMCLR", "simclr", "key ignoring case"),
    ("attention is all you need", "Attention Is All You Need", "key ignoring case"),
    ("A Simple Framework for Contrastive Learning", "simclr", "title"),
    ("a simple framework for contrastive learning", "simclr", "title ignoring case"),
    ("对比学习综述", "对比学习", "title"),
    ("contrastive LEARNING", "对比学习", "alias ignoring case"),
    ("MoCo v2", "mocov2", "title"),
    ("MoCo", "moco", "key ignoring case"),  # the key wins over another note's title
])
def test_a_key_title_or_alias_in_any_case_finds_the_note(vault, query, key, via):
    match = find_note(vault, query)
    assert (match.key, match.via, match.exact) == (key, via, via == "key")
    assert match.path == vault.notes_dir / f"{key}.md"
    assert load_note(vault, query).note.key == key
    if not match.exact:
        assert f"note '{key}'" in match.describe(query) and via in match.describe(query)


def test_two_notes_matching_alike_is_an_error_naming_both(vault):
    with pytest.raises(PapernotesError) as exc:
        find_note(vault, "momentum contrast")
    assert "moco, mocov2" in str(exc.value) and "key" in str(exc.value)


def test_no_match_names_near_keys_and_a_bad_name_says_why(vault):
    with pytest.raises(PapernotesError, match="no note 'simclrr'.*did you mean simclr"):
        find_note(vault, "simclrr")
    with pytest.raises(PapernotesError, match="invalid note key '../simclr'"):
        find_note(vault, "../simclr")


def test_an_update_by_title_writes_the_note_it_found(vault):
    path, _ = update_note(vault, "对比学习综述", lambda n: n.model_copy(update={"rating": 4}))
    assert path == vault.notes_dir / "对比学习.md"
    assert load_note(vault, "对比学习").note.rating == 4
    assert sorted(p.name for p in vault.notes_dir.glob("*.md")) == [
        "Attention Is All You Need.md", "moco.md", "mocov2.md", "simclr.md", "对比学习.md"]
