"""render_new against golden files, the blank note against the user's template, render_update splicing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from papernotes.notes.format.parse import parse_note
from papernotes.notes.format.regions import region_body
from papernotes.notes.format.render import render_new, render_update
from papernotes.notes.model.ideas_model import IdeaLog, Patch, Point
from papernotes.notes.model.schema import Note, ReadingStatus

from ..conftest import simclr_note

GOLDEN = Path(__file__).parent / "golden"


def test_golden(lang):
    text = render_new(simclr_note(lang))
    path = GOLDEN / f"simclr.{lang}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_bytes().decode("utf-8")


def test_blank_zh_note_reads_like_the_template():
    text = render_new(Note(key="blank"))
    # the user's template, in order: header lines, table rows, sub-bullets, placeholders
    expected_in_order = [
        "# 论文阅读笔记：[论文标题]", "**日期：**", "**状态：** ⚪ 未读", "**评级：**",
        "## 1. 元数据 (Metadata)", "| **标题**", "| **作者**", "| **机构**",
        "| **出版来源** | (e.g., NeurIPS, ICML, ICLR, CVPR, ACL, arXiv) |", "| **年份**",
        "| **论文链接** | [链接]() |", "| **代码链接** | [链接]() (如有) |",
        "| **我的标签** | `自然语言处理` `大语言模型` `强化学习` `计算机视觉` ... |",
        "## 2. 摘要与核心问题 (Abstract & Core Problem)", "> [!tip] 用你自己的话简要复述，不要直接复制摘要。",
        "- **论文要解决什么问题？**", "- **核心主张或贡献是什么？**",
        "## 3. 背景知识 (Background)", "- **前置知识/术语：**", "  - 术语 A: 解释...", "  - 术语 B: 解释...",
        "- **相关工作简要回顾：**", "  - 方法 A: ...", "  - 方法 B: ...",
        "  - **局限性：** ... (从而引出本文的动机)",
        "## 4. 方法/模型 (Methodology/Model)", "- **核心思想：**", "- **模型/方法框图：**",
        "  ```mermaid", "  graph TD", "    A[输入] --> B[模块1];", "    C --> D[输出];", "  ```",
        "## 5. 实验结果 (Experiments)", "## 6. 优点与不足 (Strengths & Weaknesses)",
        "## 7. 我的思考 (My Thoughts)", "## 8. 想法补丁 (Idea Patching)", "%% papernotes:begin ideas %%",
        "## 9. 复现 (Reproduction)", "%% papernotes:begin repro %%", "暂无运行记录。",
    ]
    pos = 0
    for piece in expected_in_order:
        found = text.find(piece, pos)
        assert found >= 0, f"{piece!r} missing or out of order"
        pos = found + len(piece)
    assert "`" not in text.split("\n")[0]  # frontmatter first
    assert text.startswith("---\n")


def test_blank_note_parses_back_as_empty(lang):
    note = Note(key="blank", lang=lang)
    parsed = parse_note(render_new(note), key="blank")
    assert parsed.note == note
    assert parsed.note.meta.tags == [] and parsed.note.background.terms == []


def test_filled_header_and_table():
    text = render_new(simclr_note("zh"))
    assert "**状态：** 🟢 已精读\n**评级：** ⭐⭐⭐⭐⭐ (根据个人理解和对工作的评价)" in text
    assert "| **作者**     | Ting Chen, Simon Kornblith, Mohammad Norouzi, Geoffrey Hinton |" in text
    assert "| **我的标签** | `ssl/contrastive` `computer-vision` |" in text
    assert 'arxiv: "2002.05709"' in text and '  - "[[moco]]"' in text
    assert "| ImageNet | linear eval | ResNet-50 (4x) | top-1 | 76.5 | Table 6 |  |" in text
    assert "[repro/simclr.yaml](../repro/simclr.yaml)" in text


def test_workspace_templates_override_and_fallback(tmp_path):
    (tmp_path / "note.zh.md.j2").write_text("{{ frontmatter }}# custom {{ title }}\n", encoding="utf-8")
    note = simclr_note("zh")
    assert render_new(note, templates_dir=tmp_path).endswith(
        "---\n# custom A Simple Framework for Contrastive Learning of Visual Representations\n")
    # no English template there: the shipped one is used
    assert render_new(simclr_note("en"), templates_dir=tmp_path) == render_new(simclr_note("en"))


def test_update_identity(lang):
    text = render_new(simclr_note(lang))
    parsed = parse_note(text, key="simclr")
    assert render_update(parsed, parsed.note) == text


def _changed(note: Note) -> Note:
    ideas = IdeaLog(points=[*note.ideas.points, Point(id=3, text="large batch")],
                    patches=[*note.ideas.patches,
                             Patch(id=2, point=3, kind="speed", text="batch 256 + MoCo queue")])
    return note.model_copy(update={"ideas": ideas, "rating": 4, "status": ReadingStatus.reading})


def test_update_changes_only_properties_and_ideas_region():
    text = render_new(simclr_note("zh"))
    text = text.replace("---\n# 论文阅读笔记", "---\n# 论文阅读笔记", 1)
    text = text.replace("status: read-carefully\n", "status: read-carefully  # my comment\n")
    text = text.replace("code: https://github.com/google-research/simclr\n",
                        "code: https://github.com/google-research/simclr\nmy_key: [keep, me]\n")
    repro_body = "| run | top-1 |\n| --- | --- |\n| abc | 61.2 |\n"
    from papernotes.notes.format.regions import replace_region
    text = replace_region(text, "repro", repro_body)
    parsed = parse_note(text, key="simclr")
    new = _changed(parsed.note)
    out = render_update(parsed, new)
    assert "rating: 4\n" in out
    assert re.search(r"\nstatus: reading +# my comment\n", out)  # ruamel keeps the comment's column
    assert "my_key: [keep, me]\n" in out
    assert region_body(out, "repro") == repro_body + "\n"  # a blank line ends a table
    # the header under the title follows the properties (derived data) ...
    assert "**状态：** 🔵 在读\n" in out and "**评级：** ⭐⭐⭐⭐ (根据" in out
    text = text.replace("**状态：** 🟢 已精读", "**状态：** 🔵 在读").replace("⭐⭐⭐⭐⭐ (", "⭐⭐⭐⭐ (")
    # ... and the rest of the body outside the ideas region is byte-identical
    head_old, head_new = text.index("\n# "), out.index("\n# ")
    ideas_old = text.index("%% papernotes:begin ideas %%")
    ideas_new = out.index("%% papernotes:begin ideas %%")
    assert text[head_old:ideas_old] == out[head_new:ideas_new]
    assert text[text.index("%% papernotes:end ideas %%"):] == out[out.index("%% papernotes:end ideas %%"):]
    back = parse_note(out, key="simclr")
    assert back.note.ideas == new.ideas and back.note.rating == 4
    assert back.note.status == ReadingStatus.reading


def test_update_keeps_crlf():
    text = render_new(simclr_note("en")).replace("\n", "\r\n")
    parsed = parse_note(text, key="simclr")
    assert parsed.note == simclr_note("en")
    out = render_update(parsed, _changed(parsed.note))
    assert "\n" not in out.replace("\r\n", "")
    assert parse_note(out, key="simclr").note == _changed(parsed.note)


def test_update_adds_missing_ideas_region():
    text = render_new(simclr_note("en"))
    start = text.index("%% papernotes:begin ideas %%")
    end = text.index("%% papernotes:end ideas %%\n") + len("%% papernotes:end ideas %%\n")
    text = text[:start] + text[end:]
    parsed = parse_note(text, key="simclr")
    assert parsed.note.ideas == IdeaLog()
    out = render_update(parsed, simclr_note("en"))
    assert parse_note(out, key="simclr").note.ideas == simclr_note("en").ideas
    assert out.startswith(text[:start])


def test_update_gives_a_note_without_frontmatter_one():
    text = render_new(simclr_note("zh"))
    body = text[text.index("\n---\n") + 5:]
    parsed = parse_note(body, key="simclr")
    assert parsed.frontmatter is None and parsed.note.meta.year == 2020  # from the table
    out = render_update(parsed, parsed.note.model_copy(update={"rating": 3}))
    assert out.endswith(body.replace("⭐⭐⭐⭐⭐", "⭐⭐⭐")) and out.startswith("---\n")
    assert "rating: 3\n" in out
    assert parse_note(out, key="simclr").note.rating == 3


def test_update_keeps_untouched_properties_byte_for_byte():
    text = render_new(simclr_note("en"))
    text = text.replace("tags:\n  - ssl/contrastive\n  - computer-vision\n",
                        "tags:\n- ssl/contrastive\n-   computer-vision   # mine\n\n# a lone comment\n")
    text = text.replace("venue: ICML\n", "venue:    'ICML'\n")
    parsed = parse_note(text, key="simclr")
    out = render_update(parsed, parsed.note.model_copy(update={"rating": 2, "aliases": ["SimCLR", "NT-Xent"]}))
    assert out == text.replace("rating: 5\n", "rating: 2\n").replace(
        "aliases:\n  - SimCLR\n", "aliases:\n  - SimCLR\n  - NT-Xent\n").replace(
        "**Rating:** ⭐⭐⭐⭐⭐", "**Rating:** ⭐⭐")


def test_broken_workspace_template_is_a_one_line_error(tmp_path):
    from papernotes.core.errors import PapernotesError

    (tmp_path / "note.en.md.j2").write_text("# {{ title }}\n\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(PapernotesError) as info:
        render_new(simclr_note("en"), templates_dir=tmp_path)
    assert info.value.line == 3 and info.value.field == "template"
    assert "note.en.md.j2:3: template: template error: " in str(info.value)
