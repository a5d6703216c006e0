"""parse_note: the whole Note back, placeholders as empty, user sections kept, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.core.errors import PapernotesError
from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.render import render_new
from papernotes.notes.model.schema import Note, ReadingStatus

from ..conftest import simclr_note

DATA = Path(__file__).parent / "data"


def test_full_note_round_trips(lang):
    note = simclr_note(lang)
    parsed = parse_note(render_new(note), path=Path("notes/simclr.md"))
    assert parsed.note == note
    assert parsed.note.method.diagram.nodes[3].label == "encoder f (ResNet-50)"
    assert [r.value for r in parsed.note.results] == [69.3, 76.5, 94.0]
    assert parsed.note.background.related_work[0].limitation == "needs a memory bank / queue"
    assert [s.kind for s in parsed.sections] == ["title", "metadata", "abstract", "background",
                                                 "method", "results", "strengths", "thoughts",
                                                 "ideas", "repro"]


def test_key_from_path_or_argument():
    text = render_new(simclr_note("en"))
    assert parse_note(text, path="notes/my-simclr.md").note.key == "my-simclr"
    assert parse_note(text, path="notes/x.md", key="other").note.key == "other"


def _insert_after(text: str, anchor: str, extra: str) -> str:
    i = text.index(anchor) + len(anchor)
    return text[:i] + extra + text[i:]


def test_user_sections_and_paragraphs_are_kept_and_listed():
    text = render_new(simclr_note("zh"))
    text = _insert_after(text, "  - **局限性：** prior methods need special architectures or a memory bank\n",
                         "\n我自己补充的一段话 🙂\n")
    text = _insert_after(text, "暂无运行记录。\n%% papernotes:end repro %%\n",
                         "\n## 10. 我的实验记录\n\n- 2026-11-20 跑了 CIFAR-10\n\n### 细节\n\n学习率 0.3\n")
    parsed = parse_note(text, key="simclr")
    assert parsed.text == text
    assert parsed.note == simclr_note("zh")  # the user's text did not leak into fields
    user = [s for s in parsed.sections if s.kind == "user"]
    assert [(s.title, s.level) for s in user] == [("10. 我的实验记录", 2), ("细节", 3)]
    lines = text.split("\n")
    assert lines[user[0].line - 1] == "## 10. 我的实验记录"
    assert parsed.section("background").line < parsed.section("method").line


def test_placeholders_read_as_empty():
    text = render_new(Note(key="blank", lang="zh"))
    note = parse_note(text, key="blank").note
    assert note.meta.venue == "" and note.meta.tags == [] and note.meta.code_url == ""
    assert note.background.terms == [] and note.background.related_work == []
    assert note.background.limitation == "" and note.method.diagram is None
    assert note.results == [] and note.abstract == "" and note.contributions == []


def test_the_users_own_template():
    text = (DATA / "user_template.zh.md").read_text(encoding="utf-8")
    # its diagram opens with the template's single-% instruction line: accepted as the
    # user's template instruction, and the sample diagram reads as "not drawn yet"
    note = parse_note(text, path="notes/user.md", key="simclr").note
    assert note.status.value == "read-carefully" and note.rating == 5
    assert note.method.diagram is None
    assert note.contributions[0] == "SimCLR：一个简单的视觉表征对比学习框架。"
    assert note.problem == "理解是什么使得对比预测任务能够学习到有用的表征"
    # any other single-% line is not mermaid: the error names that line
    bad = text.replace("  graph TD", "  % my own comment\n  graph TD")
    with pytest.raises(PapernotesError) as info:
        parse_note(bad, path="notes/user.md")
    line = bad.split("\n").index("  % my own comment") + 1
    assert str(info.value) == f"notes/user.md:{line}: diagram: a mermaid comment starts with '%%', not a single '%'"


def _line_of(text: str, prefix: str) -> int:
    return next(i for i, ln in enumerate(text.split("\n"), 1) if ln.startswith(prefix))


@pytest.mark.parametrize("old,new,field", [  # the property's own name, as the user sees it
    ("year: 2020\n", "year: abc\n", "year"),
    ("rating: 5\n", "rating: 9\n", "rating"),
    ("status: read-carefully\n", "status: finished\n", "status"),
    ('arxiv: "2002.05709"\n', "arxiv: not-an-id\n", "arxiv"),
    ("date: 2026-11-23\n", "date: someday\n", "date"),
    ("date: 2026-11-23\n", "date: 2026-13-01\n", "date"),  # read as a date by YAML: no crash
])
def test_wrong_property_types_name_line_and_field(old, new, field):
    text = render_new(simclr_note("zh")).replace(old, new, 1)
    with pytest.raises(PapernotesError) as info:
        parse_note(text, path="notes/simclr.md")
    err = info.value
    assert (err.field, err.line) == (field, _line_of(text, new.split(":")[0] + ":"))
    assert str(err).startswith(f"notes/simclr.md:{err.line}: {field}: ")
    assert repr(new.split(": ")[1].strip()).strip("'") in str(err)  # the value that was wrong
    assert "\n" not in str(err)


def test_broken_yaml():
    text = render_new(simclr_note("en")).replace("venue: ICML\n", "venue: [ICML\n", 1)
    with pytest.raises(PapernotesError) as info:
        parse_note(text, path="n.md")
    assert info.value.field == "frontmatter" and 1 < info.value.line <= _line_of(text, "code:") + 1


def test_unclosed_frontmatter():
    with pytest.raises(PapernotesError, match="never closed"):
        parse_note("---\ntitle: x\n# body\n", path="n.md")


def test_diagram_error_carries_the_file_line():
    text = render_new(simclr_note("zh")).replace("      G ==>|z| L\n", "      G ==> \n", 1)
    with pytest.raises(PapernotesError) as info:
        parse_note(text, path="n.md")
    assert (info.value.line, info.value.field) == (_line_of(text, "      G ==> "), "diagram")


def test_a_result_cell_is_the_users_text_and_a_bad_patch_kind_is_an_error():
    text = render_new(simclr_note("en"))
    words = text.replace("| top-1 | 69.3 |", "| top-1 | lots |", 1)
    first = parse_note(words, path="n.md").note.results[0]
    assert (first.value, first.text, first.shown) == (None, "lots", "lots")
    bad = text.replace("| augmentation | planned |", "| magic | planned |", 1)
    with pytest.raises(PapernotesError) as info:
        parse_note(bad, path="n.md")
    assert info.value.line == _line_of(bad, "| 1 | 1 | magic")
    assert info.value.field == "ideas.patches"


def test_frontmatter_wins_over_body_and_body_fills_missing_properties():
    text = render_new(simclr_note("en"))
    fm_end = text.index("\n---\n") + 5
    no_props = "---\ntitle: Other\n---\n" + text[fm_end:]
    note = parse_note(no_props, key="simclr").note
    assert note.meta.title == "Other"  # property wins
    assert note.meta.authors[0] == "Ting Chen" and note.meta.year == 2020  # from the table
    assert note.status == ReadingStatus.read_carefully and note.rating == 5  # header lines
    assert note.repro == "simclr" and note.meta.code_url.endswith("/simclr")


def test_obsidian_property_variants():
    text = render_new(simclr_note("en"))
    text = text.replace('related:\n  - "[[moco]]"\n  - "[[byol]]"\n', 'related: "[[moco|MoCo]]"\n', 1)
    text = text.replace("status: read-carefully\n", "status: 🔵 Reading\n", 1)
    text = text.replace("**Status:** 🟢 Read carefully", "**Status:** 🔵 Reading", 1)
    text = text.replace("aliases:\n  - SimCLR\n", "aliases: SimCLR\n", 1)
    note = parse_note(text, key="simclr").note
    assert note.related == ["moco"] and note.aliases == ["SimCLR"]
    assert note.status == ReadingStatus.reading


def test_every_catalog_card_round_trips(lang):
    from papernotes.notes.sources.catalog import card_to_note, list_cards

    cards = list_cards()
    assert len(cards) >= 10
    for card in cards:
        note = card_to_note(card, lang)
        text = render_new(note)
        parsed = parse_note(text, key=note.key)
        assert parsed.note == note, card.key
        assert parsed.text == text


def test_language_comes_from_the_headings_not_from_any_text():
    from papernotes.notes.model.ideas_model import IdeaLog, Point

    note = simclr_note("en").model_copy(update={
        "ideas": IdeaLog(points=[Point(id=1, text="# 论文阅读笔记")]), "thoughts": "see # 论文阅读笔记 and ## 1. 元数据"})
    assert parse_note(render_new(note), key="simclr").note == note  # found by the rewrite property
    assert parse_note("# 论文阅读笔记：x\n", key="k").note.lang == "zh"
    assert parse_note("## 2. Abstract & Core Problem\n\nhello\n", key="k").note.lang == "en"


def test_every_problem_of_a_note_in_the_body_is_named_by_its_label(lang):
    from papernotes.core.errors import problems_of

    text = render_new(simclr_note(lang))
    body = text[text.index("\n---\n") + 5:]  # no properties: the body's values count
    body = body.replace("| 2020 |", "| 20200 |").replace("⭐⭐⭐⭐⭐", "⭐⭐⭐⭐⭐⭐⭐")
    with pytest.raises(PapernotesError) as info:
        parse_note(body, path="n.md")
    shown = [str(p) for p in problems_of(info.value)]
    rating, year = ("评级", "年份") if lang == "zh" else ("Rating", "Year")
    assert shown == [f"n.md:{_line_of(body, '**' + rating)}: {rating}: 7 is more than 5",
                     f"n.md:{_line_of(body, '| **' + year)}: {year}: 20200 is more than 2100"]
