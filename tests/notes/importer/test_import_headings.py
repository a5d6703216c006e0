"""Template headings recognised however the user numbered or worded them."""

from __future__ import annotations

import pytest

from papernotes.notes.format.section_labels import SECTION_TITLES
from papernotes.notes.importer.headings import canonical_title, section_kind


@pytest.mark.parametrize("heading,kind", [
    ("1. 元数据 (Metadata)", "metadata"),
    ("二、摘要与核心问题", "abstract"),
    ("(3) 背景知识", "background"),
    ("第四部分 方法/模型", "method"),
    ("4. Methodology / Model", "method"),
    ("Abstract and Core Problem", "abstract"),
    ("摘要", "abstract"),
    ("Thoughts", "thoughts"),
    ("四、我的思考 💡", "thoughts"),
    ("5、实验结果", "results"),
    ("优点与不足 (Strengths & Weaknesses)", "strengths"),
    ("**背景知识**", "background"),
])
def test_template_headings_are_recognised(heading, kind):
    assert section_kind(heading) == kind


@pytest.mark.parametrize("heading", ["训练流程", "Introduction", "总结", "Related work", "代码",
                                     "Experiments and ablations", "A", "法"])
def test_other_headings_stay_the_users(heading):
    assert section_kind(heading) is None


def test_every_canonical_title_maps_back_to_its_kind():
    for title, kind in SECTION_TITLES.items():
        assert section_kind(title) == kind
        for lang in ("zh", "en"):
            assert SECTION_TITLES[canonical_title(kind, lang)] == kind
