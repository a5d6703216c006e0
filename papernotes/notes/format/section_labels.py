"""The fixed words of the note templates (both languages), mapped to what they label.

Parsing finds sections by their heading text and fields by their bold labels, so a note read
back in either language lands in the same model fields.
"""

from __future__ import annotations

SECTION_TITLES: dict[str, str] = {
    "1. 元数据 (Metadata)": "metadata",
    "2. 摘要与核心问题 (Abstract & Core Problem)": "abstract",
    "3. 背景知识 (Background)": "background",
    "4. 方法/模型 (Methodology/Model)": "method",
    "5. 实验结果 (Experiments)": "results",
    "6. 优点与不足 (Strengths & Weaknesses)": "strengths",
    "7. 我的思考 (My Thoughts)": "thoughts",
    "8. 想法补丁 (Idea Patching)": "ideas",
    "9. 复现 (Reproduction)": "repro",
    "1. Metadata": "metadata",
    "2. Abstract & Core Problem": "abstract",
    "3. Background": "background",
    "4. Methodology / Model": "method",
    "5. Experiments": "results",
    "6. Strengths & Weaknesses": "strengths",
    "7. My Thoughts": "thoughts",
    "8. Idea Patching": "ideas",
    "9. Reproduction": "repro",
}

# Header lines under the title: `**日期：** 2024-06-24`.
LABELS: dict[str, tuple[str, ...]] = {
    "date": ("**日期：**", "**Date:**"),
    "status": ("**状态：**", "**Status:**"),
    "rating": ("**评级：**", "**Rating:**"),
}

_FIELD_LABELS: dict[str, str] = {
    # metadata table rows
    "标题": "title", "Title": "title",
    "作者": "authors", "Authors": "authors",
    "机构": "institutions", "Institutions": "institutions",
    "出版来源": "venue", "Venue": "venue",
    "年份": "year", "Year": "year",
    "论文链接": "paper_url", "Paper": "paper_url",
    "代码链接": "code_url", "Code": "code_url",
    "我的标签": "tags", "My tags": "tags",
    # bold labels of list items
    "论文要解决什么问题？": "problem", "What problem does the paper solve?": "problem",
    "核心主张或贡献是什么？": "contributions",
    "What are the core claims or contributions?": "contributions",
    "前置知识/术语：": "terms", "Prerequisites / terms:": "terms",
    "相关工作简要回顾：": "related_work", "Related work in brief:": "related_work",
    "局限性：": "limitation", "Limitation:": "limitation",
    "核心思想：": "core_idea", "Core idea:": "core_idea",
    "模型/方法框图：": "diagram", "Model / method diagram:": "diagram",
    "方法细节：": "method_text", "Method details:": "method_text",
    "优点：": "strengths", "Strengths:": "strengths",
    "不足：": "weaknesses", "Weaknesses:": "weaknesses",
    "复现配置：": "repro", "Repro spec:": "repro",
}

# The Chinese template's section headings: a note using them is in Chinese.
ZH_SECTION_TITLES = frozenset(t for t in SECTION_TITLES if not t.isascii())


def base_title(title: str) -> str:
    """A heading without its trailing parenthesis (nested ones included):
    `2. 摘要与核心问题 (Abstract)` -> `2. 摘要与核心问题`."""
    t = title.rstrip()
    if not t.endswith((")", "）")):
        return t
    depth = 0
    for i in range(len(t) - 1, -1, -1):
        depth += t[i] in ")）"
        depth -= t[i] in "(（"
        if depth == 0:
            return t[:i].rstrip() if i > 0 else t
    return t


_BASES: dict[str, str] = {base_title(t): k for t, k in SECTION_TITLES.items()}


def section_of(title: str) -> str | None:
    """The section a level-2 heading names: a template heading exactly, or one whose words in
    parentheses are the user's own (`2. 摘要与核心问题 (Abstract)`, as `import` writes them)."""
    kind = SECTION_TITLES.get(title)
    if kind is None and base_title(title) != title:
        kind = _BASES.get(base_title(title))
    return kind


def label_of(text: str) -> str | None:
    """The field a bold label or table row name stands for, or None."""
    return _FIELD_LABELS.get(text.strip())


def field_label(name: str, lang: str) -> str | None:
    """The label a note of language `lang` shows for field `name` (`year` -> `年份`), or None."""
    pool = [lbl for lbl, field in _FIELD_LABELS.items() if field == name]
    pool += [p.strip("*").rstrip(":：").strip() for p in LABELS.get(name, ())]
    for lbl in pool:
        if lbl.isascii() == (lang != "zh"):
            return lbl.rstrip(":：")
    return None
