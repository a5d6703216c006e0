"""A story thread of the idea log: its patches in order, as a short table and a mermaid chain.

The user's method (digest §5) strings verified patches together with a story; a thread whose
patches are all verified reads as the outline of a paper. The rendering is derived from the
patches (`story == NAME`, in patch order) every time the region is written:

    **Story:** stronger augmentation

    | step | # | patch | status | effect |
    | --: | --: | :-- | :-- | :-- |
    | 1 | 2 | weaker colour jitter | verified | eval/linear_top1 -1.20 [-2.00, -0.40], N=3 |

    ```mermaid
    flowchart LR
      p2["#2 weaker colour jitter<br/>verified: -1.20"]
      class p2 verified
    ```
"""

from __future__ import annotations

import re

from papernotes.notes.model.ideas_model import IdeaLog, Patch

STORY_LABELS = {"zh": "**故事线 (Story):**", "en": "**Story:**"}
_HEADER = {"zh": ["步", "#", "补丁", "状态", "效果"], "en": ["step", "#", "patch", "status", "effect"]}
_EMPTY = {"zh": "(这条故事线还没有补丁)", "en": "(no patches in this thread yet)"}
_EXPECTS = {"zh": "预期", "en": "expects"}
_CLASSES = ("classDef verified fill:#d3f9d8,stroke:#2b8a3e",
            "classDef refuted fill:#ffe3e3,stroke:#c92a2a",
            "classDef inconclusive fill:#fff3bf,stroke:#e67700")


def num(x: float, signed: bool = False) -> str:
    """A metric value as the note shows it: two decimals, or three significant digits below 0.1."""
    if x != 0 and abs(x) < 0.1:
        return f"{x:+.3g}" if signed else f"{x:.3g}"
    return f"{x:+.2f}" if signed else f"{x:.2f}"


def mean_sd(mean: float, sd: float) -> str:
    """A mean and its standard deviation, labelled, the SD to the mean's two decimals:
    `15.25 ± 0.07 SD` (never `15.25 ± 0.0707` beside `± 0.21`); beside a mean shown to three
    significant digits (below 0.1), the SD is shown so too."""
    small = mean != 0 and abs(mean) < 0.1
    return f"{num(mean)} ± {num(sd) if small else f'{sd:.2f}'} SD"


def effect(p: Patch, lang: str = "en") -> str:
    """The measured effect on the expected metric, or what the patch expects."""
    v, e = p.verdict, p.expect
    if v is not None:
        metric = f"{e.metric} " if e else ""
        return (f"{metric}{num(v.diff_mean, True)} [{num(v.ci_low, True)}, {num(v.ci_high, True)}], "
                f"N={v.n}")
    return f"({_EXPECTS.get(lang, 'expects')} {e})" if e else ""


def _cell(text: str) -> str:
    return text.replace("\r\n", "<br>").replace("\n", "<br>").replace("|", "\\|")


def _label(text: str) -> str:
    """Text inside a quoted mermaid label: quotes and angle brackets as mermaid entities."""
    return (" ".join(text.split()).replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;"))


_CHAIN_LINE = re.compile(r'^(?:flowchart LR|p\d+\[".*"\]|p\d+(?: --> p\d+)+|class p\d+ \w+'
                         r'|classDef \w+ [^\n]*)$')


def chain_line(line: str) -> bool:
    """Whether `line` is one `render_story` draws in a story's mermaid chain (derived text,
    rewritten at every write; any other line in the chain was typed by hand)."""
    return _CHAIN_LINE.match(line.strip()) is not None


def is_empty_thread(text: str) -> bool:
    """Whether `text` is the line a thread without patches shows (either language)."""
    return text.strip() in _EMPTY.values()


def thread(log: IdeaLog, name: str) -> list[Patch]:
    return [p for p in log.patches if p.story == name]


def render_story(log: IdeaLog, name: str, lang: str = "en") -> list[str]:
    """The lines of thread `name`: heading, table and chain (no trailing blank line)."""
    out = [f"{STORY_LABELS.get(lang, STORY_LABELS['en'])} {name.strip()}", ""]
    patches = thread(log, name)
    if not patches:
        return out + [_EMPTY.get(lang, _EMPTY["en"])]
    header = _HEADER.get(lang, _HEADER["en"])
    out += ["| " + " | ".join(header) + " |", "| --: | --: | :-- | :-- | :-- |"]
    for step, p in enumerate(patches, start=1):
        out.append("| " + " | ".join(_cell(c) for c in (str(step), str(p.id), p.text, p.status.value,
                                                          effect(p, lang))) + " |")
    out += ["", "```mermaid", "flowchart LR"]
    for p in patches:
        shown = p.status.value + (f": {num(p.verdict.diff_mean, True)}" if p.verdict else "")
        out.append(f'  p{p.id}["#{p.id} {_label(p.text)}<br/>{shown}"]')
    if len(patches) > 1:
        out.append("  " + " --> ".join(f"p{p.id}" for p in patches))
    out += [f"  class p{p.id} {p.status.value}" for p in patches
            if p.status.value in ("verified", "refuted", "inconclusive")]
    out += [f"  {c}" for c in _CLASSES]
    return out + ["```"]
