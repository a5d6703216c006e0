"""`papernotes idea add|point|list|set`: the idea-patching log of a note.

Each change rewrites only the note's `ideas` region (through `render_update`), atomically.
"""

from __future__ import annotations

from typing import Optional

import typer

from papernotes.cli.console import console, handles_errors, pick_note

app = typer.Typer(help="The idea-patching log: distil the paper's points, patch one, verify it.",
                  no_args_is_help=True)


def _edit(key: str, change):
    """Run `change(log) -> (log, result)` on note `key`'s idea log and save; returns (path, result)."""
    from papernotes.notes.vault import update_note
    from papernotes.workspace import find_workspace

    out = {}

    def apply(note):
        log, out["result"] = change(note.ideas)
        return note.model_copy(update={"ideas": log})

    ws = find_workspace()
    path, _ = update_note(ws, pick_note(ws, key), apply)
    return path, out["result"]


@app.command("add")
@handles_errors
def add(
    key: str = typer.Argument(..., help="Note key, e.g. simclr."),
    text: str = typer.Argument(..., help="The idea: what to change."),
    point: Optional[int] = typer.Option(None, "--point", help="Id of the distilled point it patches."),
    kind: str = typer.Option("other", "--kind",
                             help="augmentation, architecture, loss, speed, scale or other."),
    hypothesis: str = typer.Option("", "--hypothesis", help="What you expect to happen."),
    cost: str = typer.Option("", "--cost", help="Estimated cost, e.g. '~2 GPU-days'."),
    story: str = typer.Option("", "--story", help="Story thread this patch belongs to."),
) -> None:
    """Add a patch (an idea) to a note's idea log."""
    from papernotes.notes.patching import add_patch

    path, patch = _edit(key, lambda log: add_patch(log, text, point=point, kind=kind,
                                                   hypothesis=hypothesis, cost=cost, story=story))
    console.print(f"patch {patch.id} added to {path}", highlight=False)


@app.command("point")
@handles_errors
def point(
    key: str = typer.Argument(..., help="Note key."),
    text: str = typer.Argument(..., help="A distilled point of the paper."),
) -> None:
    """Add a distilled point of the paper (something a patch can change)."""
    from papernotes.notes.patching import add_point

    path, pt = _edit(key, lambda log: add_point(log, text))
    console.print(f"point {pt.id} added to {path}", highlight=False)


@app.command("set")
@handles_errors
def set_(
    key: str = typer.Argument(..., help="Note key."),
    patch_id: int = typer.Argument(..., metavar="ID", help="Patch id."),
    status: Optional[str] = typer.Option(
        None, "--status", help="idea, planned, running, verified, refuted or dropped."),
    result: Optional[str] = typer.Option(None, "--result", help="What the experiment showed."),
    run_id: Optional[str] = typer.Option(None, "--run-id", help="MLflow run that verifies it."),
    repro: Optional[str] = typer.Option(None, "--repro", help="Repro spec name in repro/."),
    hypothesis: Optional[str] = typer.Option(None, "--hypothesis", help="What you expect to happen."),
    cost: Optional[str] = typer.Option(None, "--cost", help="Estimated cost, e.g. '~2 GPU-days'."),
    story: Optional[str] = typer.Option(None, "--story", help="Story thread it belongs to."),
    point: Optional[int] = typer.Option(None, "--point", help="Id of the distilled point it patches."),
    kind: Optional[str] = typer.Option(
        None, "--kind", help="augmentation, architecture, loss, speed, scale or other."),
    text: Optional[str] = typer.Option(None, "--text", help="New wording of the idea itself."),
) -> None:
    """Change any field of a patch: status, result, run, spec, hypothesis, cost, story, ..."""
    from papernotes.notes.patching import find_patch, set_patch

    fields = {"text": text, "kind": kind, "point": point, "status": status,
              "hypothesis": hypothesis, "cost": cost, "result": result, "run_id": run_id,
              "repro": repro, "story": story}

    def change(log):
        new = set_patch(log, patch_id, **fields)
        return new, find_patch(new, patch_id)

    path, patch = _edit(key, change)
    changed = ", ".join(name.replace("_", " ") for name, value in fields.items() if value is not None)
    console.print(f"patch {patch.id} ({changed} changed) is {patch.status.value} in {path}",
                  highlight=False)


@app.command("list")
@handles_errors
def list_(
    key: Optional[str] = typer.Argument(None, help="Note key (default: every note in the vault)."),
    status: Optional[str] = typer.Option(None, "--status", help="Only patches with this status."),
) -> None:
    """List patches of one note, or of the whole vault."""
    from rich.table import Table

    from papernotes.cli.listing import skipped_notes_warning
    from papernotes.notes.patching import idea_rows, parse_choice
    from papernotes.notes.model.ideas_model import PatchStatus
    from papernotes.notes.vault import load_all, load_note
    from papernotes.workspace import find_workspace

    ws = find_workspace()
    wanted = parse_choice(PatchStatus, status, "status") if status else None
    if key:
        parsed = [load_note(ws, pick_note(ws, key))]
    else:
        parsed, problems = load_all(ws)
        skipped_notes_warning(problems)
    rows = [r for p in parsed for r in idea_rows(p.note.key, p.note.ideas, status=wanted)]
    if not rows:
        console.print("no patches" + (f" with status {wanted.value}" if wanted else ""))
        return
    table = Table("note", "id", "point", "kind", "status", "idea", "hypothesis", "result", "run")
    for r in rows:
        table.add_row(r.key, str(r.id), r.point, r.kind, r.status, r.text, r.hypothesis, r.result,
                      r.run_id)
    console.print(table)
