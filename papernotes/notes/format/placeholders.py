"""The template's "still to fill" text: a blank note shows it, parsing reads it as empty.

The user's template marks unfilled places with sample text (`术语 A: 解释...`, `方法 A: ...`,
`[链接]()`, `(e.g., ...)` hints, an ellipsis). `PLACEHOLDERS[lang][slot]` is what the templates
render for an empty slot; `is_placeholder` recognises those and the template's other sample text.
"""

from __future__ import annotations

import re

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "[论文标题]",
        "cell": "",
        "venue": "(e.g., NeurIPS, ICML, ICLR, CVPR, ACL, arXiv)",
        "link": "[链接]()",
        "code": "[链接]() (如有)",
        "tags": "`自然语言处理` `大语言模型` `强化学习` `计算机视觉` ...",
        "text": "...",
        "term_a": "术语 A: 解释...",
        "term_b": "术语 B: 解释...",
        "work_a": "方法 A: ...",
        "work_b": "方法 B: ...",
        "limitation": "... (从而引出本文的动机)",
        "abstract": "(用自己的话复述摘要)",
        "result": "...",
        "repro": "(暂无复现配置)",
    },
    "en": {
        "title": "[Paper title]",
        "cell": "",
        "venue": "(e.g., NeurIPS, ICML, ICLR, CVPR, ACL, arXiv)",
        "link": "[link]()",
        "code": "[link]() (if any)",
        "tags": "`nlp` `llm` `reinforcement-learning` `computer-vision` ...",
        "text": "...",
        "term_a": "Term A: explanation...",
        "term_b": "Term B: explanation...",
        "work_a": "Method A: ...",
        "work_b": "Method B: ...",
        "limitation": "... (which motivates this paper)",
        "abstract": "(the abstract in your own words)",
        "result": "...",
        "repro": "(no repro spec yet)",
    },
}

# The template's sample diagram, shown until the reader draws their own.
SAMPLE_DIAGRAM = {
    "zh": ("%% 如果支持mermaid，可以在这里画流程图。如果不支持，可以贴图或文字描述。\n"
           "graph TD\n  A[输入] --> B[模块1];\n  B --> C[模块2];\n  C --> D[输出];\n"),
    "en": ("%% Draw the method as a flowchart here (or paste an image, or describe it in words).\n"
           "graph TD\n  A[Input] --> B[Module 1];\n  B --> C[Module 2];\n  C --> D[Output];\n"),
}

_ALL = frozenset(v for table in PLACEHOLDERS.values() for v in table.values() if v)
# Sample text of the template's shape: "术语 A: 解释...", "方法 B: ...", "Term C: explanation...".
_SAMPLE = re.compile(r"^(术语|方法|模块|Term|Method) [A-Z][:：]\s*(解释|explanation)?\s*(\.\.\.|…)+$")
# The template's parenthesised hints, and any "(e.g., ...)" / "(例如...)" sample.
_HINTS = frozenset({
    "(根据个人理解和对工作的评价)", "(记录阅读前需要了解的概念，或在阅读中遇到的新术语)",
    "(论文中提到的相关工作是哪些？它们有什么局限性？)", "(用一两句话概括方法的精髓)",
    "(从而引出本文的动机)", "(如有)", "(if any)", "(which motivates this paper)",
})
_HINT = re.compile(r"^[(（](e\.g\.,|例如)[^\n]*[)）]$")
_EMPTY_LINK = re.compile(r"^\[[^\]]*\]\(\)$")


def is_placeholder(text: str) -> bool:
    """True if `text` (one cell, line or paragraph) is the template's unfilled sample text."""
    t = text.strip()
    if t in ("", "...", "…", "……") or t in _ALL:
        return True
    return t in _HINTS or bool(_SAMPLE.match(t) or _HINT.match(t) or _EMPTY_LINK.match(t))


def strip_hint(text: str, lang: str) -> str:
    """`text` without the template's trailing hint (`... (从而引出本文的动机)` -> `...`)."""
    t = text.strip()
    for hint in ("(从而引出本文的动机)", "(which motivates this paper)", "(如有)", "(if any)"):
        if t.endswith(hint):
            t = t[: -len(hint)].rstrip()
    return t


def filled(text: str) -> str:
    """`text`, or "" if it is a placeholder."""
    return "" if is_placeholder(text) else text.strip()
