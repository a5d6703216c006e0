"""Note names as Obsidian has them: what is a key, what a title becomes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.notes.model.names import FORBIDDEN, MAX_NAME_BYTES, check_key, fold, name_from_title, name_problem
from papernotes.notes.model.schema import Note

OBSIDIAN_NAMES = ["对比学习", "Attention Is All You Need", "MoCo v2 (He et al.) & friends",
                  "naïve café", "😀 emoji", "a..b", "v1.2", "x-y_z", "100%", "Ünïcödé",
                  "한국어 논문", "title.md", "a,b;c=d+e!@$~'`{}"]


@pytest.mark.parametrize("name", OBSIDIAN_NAMES)
def test_names_obsidian_accepts_are_keys(name):
    assert check_key(name) == name
    assert Note(key=name).key == name


@pytest.mark.parametrize("name, why", [
    *[(f"a{c}b", f"'{c}'") for c in FORBIDDEN],
    ("", "empty"), (" ", "empty"), (".hidden", "'.'"), ("..", "'.'"), ("../x", "'/'"),
    (" lead", "whitespace"), ("trail ", "whitespace"), ("tab\tin", "control"),
    ("line\nbreak", "control"), ("para\u2029x", "control"), ("x" * (MAX_NAME_BYTES + 1), "bytes"),
    ("学" * (MAX_NAME_BYTES // 3 + 1), "bytes"),
])
def test_names_obsidian_refuses_or_that_leave_the_folder_are_not(name, why):
    assert why in name_problem(name)
    with pytest.raises(ValueError, match="invalid note key"):
        check_key(name)
    with pytest.raises(ValueError, match="invalid note key"):
        Note(key=name)  # the model checks the name before stripping whitespace


@pytest.mark.parametrize("title, name", [
    ("对比学习综述 2", "对比学习综述 2"),
    ("BERT: Pre-training of Deep Bidirectional Transformers",
     "BERT Pre-training of Deep Bidirectional Transformers"),
    ("Encoder/Decoder | A [Survey]?", "Encoder-Decoder - A Survey"),
    ("  .hidden  title.  ", "hidden title"),
    ("What #1 ^ 2 \"quoted\" <x>*", "What 1 2 quoted x"),
    ("???", ""), ("...", ""),
])
def test_a_title_gives_the_nearest_name_obsidian_accepts(title, name):
    assert name_from_title(title) == name


def test_a_long_title_is_cut_at_a_word():
    title = "Representation " * 30
    name = name_from_title(title)
    assert len(name.encode()) <= MAX_NAME_BYTES and name.endswith("Representation")
    assert title.startswith(name)


def test_names_compare_as_obsidian_compares_them():
    assert fold("SimCLR") == fold("simclr")
    assert fold("Cafe\u0301") == fold("Café")  # NFD (macOS) and NFC are one name
    assert fold("Straße") == fold("STRASSE")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_title_gives_a_valid_name_or_none(title):
    name = name_from_title(title)
    assert name == "" or name_problem(name) is None
    assert name_from_title(name) == name  # a name is its own title
