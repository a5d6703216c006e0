"""`papernotes show KEY`: a summary of one note (metadata, contributions, results, ideas)."""

from __future__ import annotations

import typer

from papernotes.cli.console import console, handles_errors, pick_note

# The summary's words in the note's own language (the template's labels where it has them).
WORDS = {
    "en": {"status": "status", "rating": "rating", "authors": "authors",
           "institutions": "institutions", "venue": "venue", "paper": "paper", "code": "code",
           "tags": "tags", "repro": "repro", "file": "file", "problem": "Problem",
           "contributions": "Contributions", "results": "Results", "ideas": "Ideas",
           "point": "point", "columns": ("dataset", "protocol", "backbone", "metric", "value",
                                        "source")},
    "zh": {"status": "状态", "rating": "评级", "authors": "作者", "institutions": "机构",
           "venue": "出版来源", "paper": "论文链接", "code": "代码链接", "tags": "标签",
           "repro": "复现配置", "file": "文件", "problem": "要解决的问题",
           "contributions": "核心贡献", "results": "实验结果", "ideas": "想法补丁", "point": "要点",
           "columns": ("数据集", "评测协议", "骨干网络", "指标", "数值", "出处")},
}


_RESULT_VALUES = (9, 6, 7, 8, 10, 5)  # what a narrow terminal keeps longest: value, dataset, metric


def _summary(note, path, lang: str, width: int = 80):
    """The rich renderables of one note's summary, in the note's language, `width` wide."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from papernotes.cli.tables import Column, fit_table, hidden_note

    meta = note.meta
    w = WORDS.get(lang, WORDS["en"])
    info = Table.grid(padding=(0, 2))
    info.add_column(style="bold")
    info.add_column(overflow="fold")  # a long path or URL wraps, never cut
    for label, value in (
        (w["status"], note.status.label(lang)),
        (w["rating"], note.stars() or "-"),
        (w["authors"], ", ".join(meta.authors)),
        (w["institutions"], ", ".join(meta.institutions)),
        (w["venue"], " ".join(str(v) for v in (meta.venue, meta.year) if v)),
        (w["paper"], meta.paper_url or (f"https://arxiv.org/abs/{meta.arxiv}" if meta.arxiv else "")),
        (w["code"], meta.code_url),
        (w["tags"], " ".join(f"#{t}" for t in meta.tags)),
        (w["repro"], note.repro or ""),
        (w["file"], str(path)),
    ):
        if value:
            info.add_row(label, Text(value))
    parts = [info]
    if note.problem:
        parts += [Text("\n" + w["problem"], style="bold underline"), Text(note.problem)]
    if note.contributions:
        parts.append(Text("\n" + w["contributions"], style="bold underline"))
        parts += [Text(f"• {c}") for c in note.contributions]
    if note.results:
        columns = [Column(name, value, "right" if i == 4 else "left")
                   for i, (name, value) in enumerate(zip(w["columns"], _RESULT_VALUES))]
        rows = [[r.dataset, r.protocol, r.backbone, r.metric, r.shown, r.source]
                for r in note.results]
        table, hidden = fit_table(columns, rows, width - 4, title=w["results"],
                                  title_justify="left")  # inside the panel's border
        parts += [Text(""), table]
        if hidden:
            parts.append(Text(hidden_note(hidden), style="dim"))
    ideas = note.ideas
    if ideas.points or ideas.patches:
        parts.append(Text("\n" + w["ideas"], style="bold underline"))
        parts += [Text(f"P{p.id}. {p.text}") for p in ideas.points]
        for p in ideas.patches:
            on = f" ({w['point']} {p.point})" if p.point else ""
            parts.append(Text(f"#{p.id} [{p.status.value}] {p.kind.value}{on}: {p.text}"))
    return Panel(Group(*parts), title=Text(meta.title or note.key, style="bold"), expand=False)


@handles_errors
def command(key: str = typer.Argument(..., help="Note key, title or alias, e.g. simclr.")) -> None:
    """Show a summary of one note."""
    from papernotes.core.workspace import find_workspace
    from papernotes.notes.vault import load_note

    ws = find_workspace()
    key = pick_note(ws, key)
    parsed = load_note(ws, key)
    lang = parsed.note.lang
    console.print(_summary(parsed.note, parsed.path, lang, console.width))
