"""Damage through every single-byte code page: the page is found, the text restored, and
clean text in the languages those pages are made for is never touched."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.notes.repair.codepages import PAGES, damage
from papernotes.notes.repair.detect import detect
from papernotes.notes.repair.mojibake_repair import repair_text

DATA = Path(__file__).parent / "data"
TEXT = "## 实验结果\n\n出现了一个问题：我们重新实现了代码，实验结果很好。\n"


def exact_fraction(got: str, want: str) -> float:
    sm = difflib.SequenceMatcher(None, got, want, autojunk=False)
    return sum(m.size for m in sm.get_matching_blocks()) / len(want)


def test_damage_through_windows_1254_reads_turkish_letters_and_loses_8e_9e():
    assert damage("Ğ", "cp1252") == "Ä\x9e"[:1] + "ž"  # 0x9E is ž in 1252
    assert damage("Ğ", "cp1254") == "Ä"  # ... and undefined in 1254: lost
    assert damage("İ", "cp1254") == "Ä°" and damage("ğ", "cp1254") == "ÄŸ"
    assert damage("论文", "cp1251") == "и®єж–‡"
    # Latin-1 with its C1 controls kept: nothing lost, every byte comes back
    kept = damage("论文", "latin-1", keep=set(range(0x80, 0xA0)))
    assert kept.encode("latin-1") == "论文".encode()


def test_the_issue_example_a_lossless_1252_misreading_comes_back_exactly():
    text = "---\ntitle: 学习笔记\n---\n# 对比学习\n"
    bad = text.encode().decode("cp1252")  # soft hyphens kept: nothing lost
    res = repair_text(bad)
    assert res.text == text
    assert res.pages[0].page == "Windows-1252" and res.pages[0].lossless
    assert res.choices == () and res.uncertain == 0


@pytest.mark.parametrize("page", ["cp1252", "cp1254", "cp1250", "cp1251", "cp1256", "cp1258"])
def test_a_short_note_is_restored_exactly_and_its_page_named(page):
    res = repair_text(damage(TEXT, page))
    assert res.text == TEXT, page
    assert res.page == PAGES[page].label and res.unclear == ()


@pytest.mark.parametrize("page", ["cp1253", "cp1255", "cp1257",
                                  pytest.param("latin-1", marks=pytest.mark.slow)])
def test_pages_that_lose_many_bytes_are_found_and_mostly_restored(page):
    text = (DATA / "patching.zh.md").read_text(encoding="utf-8")[:400 if page != "latin-1" else 120]
    res = repair_text(damage(text, page))
    assert res.page == PAGES[page].label
    assert len(res.text) == len(text) and exact_fraction(res.text, text) >= 0.75


def test_windows_1254_no_longer_gives_wrong_but_valid_characters():
    # read as 1252, 出 and 实 came back as 坟 and 宝 and the rest stayed Latin
    text = "实验出现的问题：İ 和 ş 是土耳其字母。\n"
    res = repair_text(damage(text, "cp1254"))
    assert res.text == text
    assert res.page == "Windows-1254" and res.pages[0].runner_up == "Windows-1252"
    assert res.pages[0].margin > 10  # 1252 reads 实 without its lost 0x9E: a rare character


def test_paragraphs_pasted_from_two_sources_each_get_their_page():
    a = "对比学习：正样本对拉近，负样本对推远。\n"
    b = "掩码建模：遮住图像块，让模型重建像素。\n"
    res = repair_text(damage(a, "cp1252") + "\n" + damage(b, "cp1251"))
    assert res.text == a + "\n" + b
    assert [(v.page, v.line) for v in res.pages] == [("Windows-1252", 1), ("Windows-1251", 3)]


def test_an_unclear_choice_between_two_pages_is_left_and_reported():
    bad = damage("实与出", "cp1254")  # short, no letter only 1254 has: 1252 fits it too
    res = repair_text(bad)
    assert res.text == bad
    assert len(res.unclear) == 1 and res.unclear[0].line == 1
    assert res.unclear[0].margin < 3 and res.uncertain == res.unclear[0].damaged > 0


CLEAN = [
    "Öğrenciler ılık bir günde Şişli'deki kütüphanede çalıştı. İğdır'dan gelen Ayşe, ağaç "
    "gölgesinde ödevini bitirdi; ığdır, şğüçö, ĞÜŞİÖÇ.",
    "Zażółć gęślą jaźń. Łódź, Kraków i Gdańsk — źródła wiedzy są wszędzie.",
    "Η αυτοεπιβλεπόμενη μάθηση χρησιμοποιεί τα ίδια τα δεδομένα ως επίβλεψη. Ό,τι "
    "μαθαίνει το μοντέλο — «αναπαραστάσεις» — μεταφέρεται αλλού.",
    "Самообучение использует сами данные как разметку. Её «представления» — ключ ко "
    "всему; ещё один шаг, и всё готово…",
    "Самонавчання використовує дані як розмітку. Її модель — «ключ»; ії, є, ґ.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy. Řeřicha, čeština, ů, ě.",
    "Học tự giám sát dùng chính dữ liệu làm nhãn. Mô hình học được biểu diễn tốt.",
]


@pytest.mark.parametrize("text", CLEAN, ids=["tr", "pl", "el", "ru", "uk", "cs", "vi"])
def test_clean_text_in_the_pages_own_languages_is_never_repaired(text):
    assert not detect(text).damaged
    assert repair_text(text).text == text
    assert repair_text(f"# 标题\n\n{text}\n\n中文段落。\n").text == f"# 标题\n\n{text}\n\n中文段落。\n"


def _words(lang: str) -> list[str]:
    import wordfreq

    return wordfreq.top_n_list(lang, 3000)


_SENTENCES = st.sampled_from(["tr", "pl", "el", "ru", "cs", "de"]).flatmap(
    lambda lang: st.lists(st.sampled_from(_words(lang)), min_size=1, max_size=20)).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(_SENTENCES, st.sampled_from(["{}", "«{}»", "“{}” — {}…", "# {}\n\n{}"]))
def test_property_sentences_of_real_words_are_never_repaired(words, shape):
    text = shape.format(words.capitalize(), words)
    assert repair_text(text).text == text


@pytest.mark.parametrize("encoding, text", [
    ("gbk", "# 笔记\n\n中文内容，GBK 编码。\n"),  # charset-normalizer alone reads it as EUC-KR
    ("big5", (DATA / "guide-traditional.zh.md").read_text(encoding="utf-8")),
    ("shift_jis", "# 論文メモ\n\n自己教師あり学習について、対照学習の考え方をまとめる。\n"),
    ("latin-1", "# Résumé\n\nUne note très simple : déjà vu, naïve. Ça marche.\n"),
])
def test_files_that_are_not_utf8_are_read_in_their_encoding(encoding, text):
    from papernotes.notes.repair.encoding import decode_bytes

    assert decode_bytes(text.encode(encoding)).text == text
    assert decode_bytes(bytes(range(256)) * 4) is None  # binary: no encoding fits
