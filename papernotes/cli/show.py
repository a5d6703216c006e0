"""`papernotes show KEY`: a summary of one note (metadata, contributions, results, ideas)."""

from __future__ import annotations

import typer

from papernotes.cli.console import console, handles_errors, pick_note


def _summary(note, path, lang: str):
    """The rich renderables of one note's summary."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    meta = note.meta
    info = Table.grid(padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    for label, value in (
        ("status", note.status.label(lang)),
        ("rating", note.stars() or "-"),
        ("authors", ", ".join(meta.authors)),
        ("institutions", ", ".join(meta.institutions)),
        ("venue", " ".join(str(v) for v in (meta.venue, meta.year) if v)),
        ("paper", meta.paper_url or (f"https://arxiv.org/abs/{meta.arxiv}" if meta.arxiv else "")),
        ("code", meta.code_url),
        ("tags", " ".join(f"#{t}" for t in meta.tags)),
        ("repro", note.repro or ""),
        ("file", str(path)),
    ):
        if value:
            info.add_row(label, Text(value))
    parts = [info]
    if note.problem:
        parts += [Text("\nProblem", style="bold underline"), Text(note.problem)]
    if note.contributions:
        parts.append(Text("\nContributions", style="bold underline"))
        parts += [Text(f"• {c}") for c in note.contributions]
    if note.results:
        table = Table("dataset", "protocol", "backbone", "metric", "value", "source",
                      title="Results", title_justify="left")
        for r in note.results:
            table.add_row(r.dataset, r.protocol, r.backbone, r.metric, f"{r.value:g}", r.source)
        parts += [Text(""), table]
    ideas = note.ideas
    if ideas.points or ideas.patches:
        parts.append(Text("\nIdeas", style="bold underline"))
        parts += [Text(f"P{p.id}. {p.text}") for p in ideas.points]
        for p in ideas.patches:
            on = f" (point {p.point})" if p.point else ""
            parts.append(Text(f"#{p.id} [{p.status.value}] {p.kind.value}{on}: {p.text}"))
    return Panel(Group(*parts), title=Text(meta.title or note.key, style="bold"), expand=False)


@handles_errors
def command(key: str = typer.Argument(..., help="Note key, title or alias, e.g. simclr.")) -> None:
    """Show a summary of one note."""
    from papernotes.notes.vault import load_note, note_path
    from papernotes.workspace import find_workspace

    ws = find_workspace()
    key = pick_note(ws, key)
    parsed = load_note(ws, key)
    lang = parsed.note.lang
    console.print(_summary(parsed.note, note_path(ws, key), lang))
